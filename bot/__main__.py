"""`python -m bot` does the same as the `leadershipchat` console script."""

from bot.cli.main import main

raise SystemExit(main())
