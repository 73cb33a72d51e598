from poise.cli import main

raise SystemExit(main())
