from cybercap.cli import main

raise SystemExit(main())
