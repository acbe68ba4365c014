"""The web layer: Flask app factory (app.py), HTML views and the JSON API over the search library.

Importing the package costs nothing: the `dangan` command line (cli.py) loads Flask only for
`serve`."""
