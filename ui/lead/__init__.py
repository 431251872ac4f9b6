"""The team lead's workbench (班组长工作台): one module group per tab; QtCharts is imported only here."""
