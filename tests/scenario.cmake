# Scenarios (spec §11): the runner with fake bridge callbacks (needs root
# and a cgroup2 mount, loads no BPF), and the live end-to-end runs against
# the scheduler-shaped fixture (BPF).
ktsnap_test(test_scenario SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_scenario.c
	    LIBS PkgConfig::CMOCKA LABELS scenario TIMEOUT 120)
