# The usage forms of the command line, taken from the SYNOPSIS of the man
# page, so that `ktsnap --help` and ktsnap(1) cannot drift apart:
#   cmake -DIN=docs/ktsnap.1.md -DOUT=synopsis.h -P cli/synopsis.cmake
# Every paragraph "**ktsnap NAME** ..." of that section is one form of the
# command NAME and becomes a line of CLI_SYNOPSIS_NAME with its markup
# removed (a command with two forms gets two lines); the one "**ktsnap** ..."
# is CLI_SYNOPSIS_MAIN.  A paragraph may span lines; its blanks become one
# space.  Anything else in the section (another paragraph, a ";", an
# unbalanced bracket) stops the build with a message: never a wrong header.
# The CLI wraps the lines when it prints them (cli_print_synopsis()).
cmake_minimum_required(VERSION 3.20)
file(READ ${IN} page)
string(REGEX MATCH "\n# SYNOPSIS\n(.*)\n# DESCRIPTION\n" section "${page}")
if(NOT section)
	message(FATAL_ERROR "${IN}: no SYNOPSIS section followed by DESCRIPTION")
endif()
set(text "${CMAKE_MATCH_1}")
# the forms go through a CMake list, which a ";" would split
if(text MATCHES ";")
	message(FATAL_ERROR "${IN}: the SYNOPSIS has a ';', which the usage forms cannot carry")
endif()
# one line a paragraph
string(ASCII 1 par)
string(REGEX REPLACE "\n[ \t\r]*\n[ \t\r\n]*" "${par}" text "${text}")
string(REGEX REPLACE "[ \t\r\n]+" " " text "${text}")
string(REGEX REPLACE " ?${par} ?" "\n" text "${text}")
string(STRIP "${text}" text)
# a list element with an unclosed "[" would swallow the next ones: the
# brackets cross the list as other bytes
string(ASCII 2 lb)
string(ASCII 3 rb)
string(REPLACE "[" "${lb}" text "${text}")
string(REPLACE "]" "${rb}" text "${text}")
string(REPLACE "\n" ";" forms "${text}")
set(names "")
foreach(item IN LISTS forms)
	string(REPLACE "${lb}" "[" form "${item}")
	string(REPLACE "${rb}" "]" form "${form}")
	# balanced: removing the innermost groups leaves no bracket
	set(rest "${form}")
	set(prev "")
	while(NOT rest STREQUAL prev)
		set(prev "${rest}")
		string(REGEX REPLACE "\\[[^][()]*\\]|\\([^][()]*\\)" "" rest "${rest}")
	endwhile()
	if(rest MATCHES "[][()]")
		message(FATAL_ERROR "${IN}: unbalanced brackets in the SYNOPSIS form '${form}'")
	endif()
	if(form MATCHES "^\\*\\*ktsnap\\*\\*( |$)")
		set(name "MAIN")
		if("MAIN" IN_LIST names)
			message(FATAL_ERROR "${IN}: more than one **ktsnap** form in the SYNOPSIS "
					    "(a command's form starts **ktsnap COMMAND**): '${form}'")
		endif()
	elseif(form MATCHES "^\\*\\*ktsnap ([a-z]+)\\*\\*( |$)")
		set(name "${CMAKE_MATCH_1}")
	else()
		message(FATAL_ERROR "${IN}: cannot read the SYNOPSIS paragraph '${form}': a usage "
				    "form starts **ktsnap** or **ktsnap COMMAND** (a lower-case word)")
	endif()
	string(REPLACE "*" "" form "${form}")
	string(REPLACE "\\" "\\\\" form "${form}")
	string(REPLACE "\"" "\\\"" form "${form}")
	if(NOT name IN_LIST names)
		list(APPEND names ${name})
		set(def_${name} "")
	endif()
	string(APPEND def_${name} " \"${form}\\n\"")
endforeach()
if(NOT "MAIN" IN_LIST names)
	message(FATAL_ERROR "${IN}: no **ktsnap** form (the command line itself) in the SYNOPSIS")
endif()
set(out "/* Generated from ${IN} by synopsis.cmake: edit the man page. */\n")
foreach(name IN LISTS names)
	string(APPEND out "#define CLI_SYNOPSIS_${name}${def_${name}}\n")
endforeach()
# (file(COPY_FILE) would need CMake 3.21)
file(WRITE ${OUT}.tmp "${out}")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different ${OUT}.tmp ${OUT}
		RESULT_VARIABLE copied)
file(REMOVE ${OUT}.tmp)
if(copied)
	message(FATAL_ERROR "cannot write ${OUT}")
endif()
