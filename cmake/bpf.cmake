# Compile a BPF C source with clang -target bpf and generate its libbpf
# skeleton with bpftool.  ktsnap_bpf_object(<name> <src>) produces
# ${CMAKE_CURRENT_BINARY_DIR}/<name>.bpf.o and <name>.skel.h and an
# interface target bpf_<name> whose include dir holds the skeleton.
# clang 16 emits signed-enum kflags and ENUM64, which the fixtures exercise.
find_program(BPF_CLANG NAMES clang-16 clang REQUIRED)
find_program(BPFTOOL NAMES bpftool PATHS /usr/sbin /sbin REQUIRED)
execute_process(COMMAND uname -m OUTPUT_VARIABLE KTSNAP_ARCH
		OUTPUT_STRIP_TRAILING_WHITESPACE)
if(KTSNAP_ARCH STREQUAL "x86_64")
	set(KTSNAP_BPF_ARCH x86)
elseif(KTSNAP_ARCH STREQUAL "aarch64")
	set(KTSNAP_BPF_ARCH arm64)
else()
	set(KTSNAP_BPF_ARCH ${KTSNAP_ARCH})
endif()

function(ktsnap_bpf_object name src)
	set(obj ${CMAKE_CURRENT_BINARY_DIR}/${name}.bpf.o)
	set(skel ${CMAKE_CURRENT_BINARY_DIR}/${name}.skel.h)
	add_custom_command(OUTPUT ${obj}
		COMMAND ${BPF_CLANG} -target bpf -g -O2
			-D__TARGET_ARCH_${KTSNAP_BPF_ARCH}
			-I/usr/include/${KTSNAP_ARCH}-linux-gnu
			-I${CMAKE_CURRENT_SOURCE_DIR}
			-c ${src} -o ${obj}
		DEPENDS ${src}
		COMMENT "BPF ${name}")
	add_custom_command(OUTPUT ${skel}
		COMMAND ${BPFTOOL} gen skeleton ${obj} name ${name} > ${skel}
		DEPENDS ${obj}
		COMMENT "skeleton ${name}")
	add_custom_target(bpf_${name}_gen DEPENDS ${skel})
	add_library(bpf_${name} INTERFACE)
	add_dependencies(bpf_${name} bpf_${name}_gen)
	target_include_directories(bpf_${name} INTERFACE
				   ${CMAKE_CURRENT_BINARY_DIR})
endfunction()
