from mgov.cli import main

main()
