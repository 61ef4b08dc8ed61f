# Contracts checked on the tree itself rather than by running code:
# - errmsg_contract: every public function of the families that promise a
#   ktsnap_errmsg() text (include/ktsnap/common.h) records one when it
#   fails, instead of a bare "return -E…" / "errno = E…".
add_test(NAME errmsg_contract
	 COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/contract/errmsg_check.sh
		 -s "^ktsnap_value__as_"
		 ${PROJECT_SOURCE_DIR}/src
		 ${PROJECT_SOURCE_DIR}/include/ktsnap/bridge.h
		 ${PROJECT_SOURCE_DIR}/include/ktsnap/capture.h
		 ${PROJECT_SOURCE_DIR}/include/ktsnap/diff.h
		 ${PROJECT_SOURCE_DIR}/include/ktsnap/json.h
		 ${PROJECT_SOURCE_DIR}/include/ktsnap/kernel_op.h
		 ${PROJECT_SOURCE_DIR}/include/ktsnap/stats.h)
set_tests_properties(errmsg_contract PROPERTIES LABELS contract TIMEOUT 60)
