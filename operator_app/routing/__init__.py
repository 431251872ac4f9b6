"""Routing suggestions: a numpy-only text model, the routing directory and the district gazetteer.

Public API:
    RoutingModel.load(dir).predict(title, body, top_k=3) -> [Prediction(label, confidence) with .terms]
    load_directory(path), load_gazetteer(path), load_departments(path)
    suggest(model, directory, gazetteer, *, title, body, address) -> [Suggestion]
Import the submodules you need (this package imports nothing itself, so loading a seat never pays for
numpy until a suggestion is asked for). Training lives in `operator_app.routing.train` (scikit-learn, development only).
"""
