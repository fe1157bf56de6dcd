from icc_travel.cli.main import run

run()
