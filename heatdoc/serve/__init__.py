"""`heatdoc serve`: the rebuild-and-watch loop (`rebuild`) and the HTTP server with live
reload (`server`)."""
