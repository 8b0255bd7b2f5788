# Layering (DESIGN.md §2) is enforced by the link graph: every layer exposes
# only its own folder to the targets that link it, through a private include
# root that holds a single link "<layer>" -> the source folder. So
# `#include "client/X.h"` compiles only in a target that links nexus_client.

function(nexus_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
  if(NEXUS_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# nexus_layer(<target> <folder>): publish <folder> as the include prefix.
function(nexus_layer target folder)
  set(root ${CMAKE_BINARY_DIR}/layer-include/${folder})
  if(NOT EXISTS ${root}/${folder})
    file(MAKE_DIRECTORY ${root})
    file(CREATE_LINK ${CMAKE_SOURCE_DIR}/${folder} ${root}/${folder} SYMBOLIC)
  endif()
  get_target_property(type ${target} TYPE)
  if(type STREQUAL "INTERFACE_LIBRARY")
    target_include_directories(${target} INTERFACE ${root})
  else()
    target_include_directories(${target} PUBLIC ${root})
    nexus_warnings(${target})
  endif()
endfunction()
