# meshgate_library(<layer> SOURCES ... DEPS ...): one static library per layer, named
# meshgate_<layer>; DEPS repeat the layer table of ARCHITECTURE.md.
function(meshgate_library layer)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(meshgate_${layer} STATIC ${ARG_SOURCES})
  target_include_directories(meshgate_${layer} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(meshgate_${layer} PUBLIC ${ARG_DEPS})
endfunction()

# meshgate_test(<name> SOURCES ... DEPS ... LABELS ...): a GoogleTest binary registered with ctest.
function(meshgate_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  if(MESHGATE_SANITIZE)
    target_sources(${name} PRIVATE ${PROJECT_SOURCE_DIR}/test/sanitizer_defaults.cc)
  endif()
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/test)
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main)
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60
                       PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT})
endfunction()

# meshgate_fuzzer(<name> SOURCE <file> DEPS ...): with MESHGATE_FUZZ a libFuzzer binary; always a
# replay binary that runs every file of test/fuzz/corpus/<name>/ as the ctest fuzz-replay.<name>.
function(meshgate_fuzzer name)
  cmake_parse_arguments(ARG "" "SOURCE" "DEPS" ${ARGN})
  set(corpus ${PROJECT_SOURCE_DIR}/test/fuzz/corpus/${name})
  add_executable(${name}_replay ${ARG_SOURCE} ${PROJECT_SOURCE_DIR}/test/fuzz/replay_main.cc)
  target_include_directories(${name}_replay PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${name}_replay PRIVATE ${ARG_DEPS})
  add_test(NAME fuzz-replay.${name} COMMAND ${name}_replay ${corpus})
  set_tests_properties(fuzz-replay.${name} PROPERTIES LABELS fuzz-replay TIMEOUT 120)
  if(MESHGATE_FUZZ)
    add_executable(${name} ${ARG_SOURCE})
    target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/src)
    target_compile_options(${name} PRIVATE -fsanitize=fuzzer)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
    target_link_libraries(${name} PRIVATE ${ARG_DEPS})
  endif()
endfunction()

include(GoogleTest)
