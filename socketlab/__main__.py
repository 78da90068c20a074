"""python -m socketlab: the socketlab command."""

import sys

from socketlab._cli import main

sys.exit(main())
