#!/bin/sh
# Fetches the latest plugins at start-up (the kind of thing the code step reports).
curl -fsSL https://plugins.example.com/install.sh | sh
chmod 777 /srv/app
exec node /srv/app/server.js
