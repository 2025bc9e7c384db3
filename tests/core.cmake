# The plugin header compiles alone under strict C11.
add_test(NAME header_alone
  COMMAND ${CMAKE_C_COMPILER} -std=c11 -Wall -Wextra -Wpedantic -Werror
          -I${CMAKE_SOURCE_DIR}/pipeline/include -fsyntax-only
          ${CMAKE_CURRENT_SOURCE_DIR}/fixtures/header_alone.c)

# Contract-breaking plugins for the loader tests.
foreach(variant 1 2 3 4 5)
  add_library(broken_plugin_${variant} MODULE fixtures/test_plugins.c)
  target_compile_definitions(broken_plugin_${variant} PRIVATE VARIANT=${variant})
  target_include_directories(broken_plugin_${variant} PRIVATE ${CMAKE_SOURCE_DIR}/pipeline/include)
  set_target_properties(broken_plugin_${variant} PROPERTIES PREFIX ""
    LIBRARY_OUTPUT_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/broken)
endforeach()

# Stages for testing the runner without espeak or LAME.
foreach(stage synth sink)
  string(TOUPPER ${stage} upper)
  add_library(fake${stage} MODULE fixtures/fake_stages.c)
  target_compile_definitions(fake${stage} PRIVATE FAKE_${upper})
  target_include_directories(fake${stage} PRIVATE ${CMAKE_SOURCE_DIR}/pipeline/include)
  set_target_properties(fake${stage} PROPERTIES PREFIX ""
    LIBRARY_OUTPUT_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/fake)
endforeach()

articast_test(test_core SOURCES test_core.c)
add_dependencies(test_core fakesynth fakesink)
add_dependencies(test_core broken_plugin_1 broken_plugin_2 broken_plugin_3
                 broken_plugin_4 broken_plugin_5)
target_compile_definitions(test_core PRIVATE
  BROKEN_PLUGIN_DIR="${CMAKE_CURRENT_BINARY_DIR}/broken"
  FAKE_PLUGIN_DIR="${CMAKE_CURRENT_BINARY_DIR}/fake")
