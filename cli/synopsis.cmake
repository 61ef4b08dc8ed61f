# The usage forms of the command line, taken from the SYNOPSIS of the man
# page, so that `ktsnap --help` and ktsnap(1) cannot drift apart:
#   cmake -DIN=docs/ktsnap.1.md -DOUT=synopsis.h -P cli/synopsis.cmake
# Every paragraph "**ktsnap NAME** ..." of that section is one form of the
# command NAME and becomes a line of CLI_SYNOPSIS_NAME with its markup
# removed (a command with two forms gets two lines); "**ktsnap** ..." is
# CLI_SYNOPSIS_MAIN.
# The CLI wraps the lines when it prints them (cli_print_synopsis()).
cmake_minimum_required(VERSION 3.20)
file(READ ${IN} page)
string(REGEX MATCH "\n# SYNOPSIS\n(.*)\n# DESCRIPTION\n" section "${page}")
if(NOT section)
	message(FATAL_ERROR "${IN}: no SYNOPSIS section followed by DESCRIPTION")
endif()
# (the forms have no ";" and balanced brackets, so a CMake list holds them)
string(REGEX MATCHALL "\\*\\*ktsnap[^\n]*" forms "${CMAKE_MATCH_1}")
set(names "")
foreach(form IN LISTS forms)
	string(REPLACE "*" "" text "${form}")
	if(text MATCHES "^ktsnap ([a-z]+) ")
		set(name "${CMAKE_MATCH_1}")
	elseif(text MATCHES "^ktsnap ")
		set(name "MAIN")
	else()
		message(FATAL_ERROR "${IN}: cannot read the synopsis form '${form}'")
	endif()
	string(REPLACE "\\" "\\\\" text "${text}")
	string(REPLACE "\"" "\\\"" text "${text}")
	if(NOT name IN_LIST names)
		list(APPEND names ${name})
		set(def_${name} "")
	endif()
	string(APPEND def_${name} " \"${text}\\n\"")
endforeach()
if(NOT names)
	message(FATAL_ERROR "${IN}: no synopsis forms")
endif()
set(out "/* Generated from ${IN} by synopsis.cmake: edit the man page. */\n")
foreach(name IN LISTS names)
	string(APPEND out "#define CLI_SYNOPSIS_${name}${def_${name}}\n")
endforeach()
file(WRITE ${OUT}.tmp "${out}")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
file(REMOVE ${OUT}.tmp)
