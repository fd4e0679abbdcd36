from ivo_app.cli import main

raise SystemExit(main())
