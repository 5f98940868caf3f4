"""pyirsdk's own sim-status check against a ksana status server.

Usage: irsdk_sim_status.py HOST:PORT
Prints "running" or "not running": the result of pyirsdk's IRSDK._check_sim_status(), with
its module-level SIM_STATUS_URL pointed at HOST:PORT (pyirsdk always asks 127.0.0.1:32034;
tests run servers on free ports in parallel). Exit 0 either way; anything else is an error.
"""
import sys

import irsdk

addr = sys.argv[1]
irsdk.SIM_STATUS_URL = "http://%s/get_sim_status?object=simStatus" % addr
print("running" if irsdk.IRSDK()._check_sim_status() else "not running")
