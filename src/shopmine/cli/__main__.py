import sys

from shopmine.cli.app import main

sys.exit(main())
