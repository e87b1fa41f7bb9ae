"""How the product starts: settings, the composition root, the server, the command line."""
