from icc_travel.cli.main import main

main()
