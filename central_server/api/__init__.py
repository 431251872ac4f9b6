"""HTTP layer: routes, dependencies, error handlers and the body-size limit."""
