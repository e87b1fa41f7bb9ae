"""The web application: routes, pages, request limits and the health answer."""
