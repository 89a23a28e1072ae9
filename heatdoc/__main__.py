from heatdoc.cli import main

raise SystemExit(main())
