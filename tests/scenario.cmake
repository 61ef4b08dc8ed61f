# Scenarios (spec §11): the runner with fake bridge callbacks (needs root
# and a cgroup2 mount, loads no BPF), and the live end-to-end runs against
# the scheduler-shaped fixture (BPF).
ktsnap_test(test_scenario SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_scenario.c
	    LIBS PkgConfig::CMOCKA LABELS scenario TIMEOUT 120)
ktsnap_test(test_scenario_bpf BPF SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_scenario_bpf.c
	    LIBS ktfixture PkgConfig::CMOCKA LABELS scenario TIMEOUT 180)
# the scheduler command of the AttachScheduler test
target_compile_definitions(test_scenario_bpf PRIVATE
			   KTSCHED_HOLD="$<TARGET_FILE:ktsched_hold>")
add_dependencies(test_scenario_bpf ktsched_hold)
