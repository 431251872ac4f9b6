"""python -m central_server → the `central-server` command line."""

import sys

from central_server.cli import main

sys.exit(main())
