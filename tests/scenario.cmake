# Scenarios (spec §11): the runner with fake bridge callbacks (needs root
# and a cgroup2 mount, loads no BPF), and the live end-to-end runs against
# the scheduler-shaped fixture (BPF).
ktsnap_test(test_scenario SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_scenario.c
	    LIBS PkgConfig::CMOCKA LABELS scenario TIMEOUT 120)
# captures may come from other threads during a run: run it under TSan too
add_dependencies(tsan_tests test_scenario)
add_test(NAME test_scenario_tsan COMMAND test_scenario)
set_tests_properties(test_scenario_tsan PROPERTIES LABELS tsan TIMEOUT 120)
ktsnap_test(test_scenario_bpf BPF SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_scenario_bpf.c
	    LIBS ktfixture PkgConfig::CMOCKA LABELS scenario TIMEOUT 300)
# the scheduler command of the AttachScheduler test
target_compile_definitions(test_scenario_bpf PRIVATE
			   KTSCHED_HOLD="$<TARGET_FILE:ktsched_hold>")
add_dependencies(test_scenario_bpf ktsched_hold)

# `ktsnap run` with the example scenarios (ktsched_hold is their scheduler).
ktsnap_bpf_command(cmd sh ${CMAKE_CURRENT_SOURCE_DIR}/cli/run.sh $<TARGET_FILE:ktsnap_cli>
		   ${PROJECT_SOURCE_DIR}/examples $<TARGET_FILE:ktsched_hold>)
add_test(NAME cli_run COMMAND ${cmd})
set_tests_properties(cli_run PROPERTIES LABELS "cli;bpf;scenario" RUN_SERIAL TRUE TIMEOUT 300)
