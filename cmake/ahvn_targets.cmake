# Helpers that give every library, app and dependency of ahvn-cache the same treatment in one
# place: include directories, warnings, the shared-library version, the export set, install
# rules and the package config. Adding a library folder is one ahvn_add_library() call, adding a
# source file is one line in its list, shipping an app is one ahvn_install_apps() word.

include_guard(GLOBAL)
include(GNUInstallDirs)

# The ABI of a 0.x release may change with every minor version, so the soname carries both.
if(PROJECT_VERSION_MAJOR EQUAL 0)
  set(AHVN_SOVERSION "${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR}")
else()
  set(AHVN_SOVERSION "${PROJECT_VERSION_MAJOR}")
endif()

# ahvn_dependency(NAME [VERSION] [COMPONENTS ...]): find_package(... REQUIRED) for a dependency
# of the libraries, and the matching find_dependency() in the installed ahvn_cacheConfig.cmake.
# Dependencies of the apps, tests or bench alone use plain find_package().
macro(ahvn_dependency name)
  find_package(${name} ${ARGN} REQUIRED)
  string(JOIN " " _ahvn_dep_args ${name} ${ARGN})
  set_property(GLOBAL APPEND PROPERTY AHVN_CONFIG_DEPENDENCIES "${_ahvn_dep_args}")
endmacro()

# ahvn_pkg_dependency(PREFIX MODULE): pkg_check_modules(PREFIX REQUIRED IMPORTED_TARGET MODULE)
# for a dependency that has only a pkg-config file, and the same in the installed package config.
macro(ahvn_pkg_dependency prefix module)
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(${prefix} REQUIRED IMPORTED_TARGET ${module})
  set_property(GLOBAL APPEND PROPERTY AHVN_CONFIG_PKG_DEPENDENCIES "${prefix} ${module}")
endmacro()

# ahvn_add_library(NAME [EXTRA] SOURCES src... [PUBLIC deps...] [PRIVATE deps...])
#
# Builds ahvn/NAME as the target ahvn_NAME (alias ahvn::NAME), libahvn_NAME.so (or .a with
# -DBUILD_SHARED_LIBS=OFF), exported as ahvn::NAME and linked into the umbrella ahvn::cache
# (EXTRA: exported and installed, but not part of ahvn::cache).
# Headers are found as "ahvn/NAME/..." in the tree and <ahvn/NAME/...> once installed (every
# .hpp under ahvn/ is installed, see the top-level CMakeLists.txt). PRIVATE dependencies of a
# static library are exported as $<LINK_ONLY:...>, so they must be ahvn_dependency()s too.
function(ahvn_add_library name)
  cmake_parse_arguments(L "EXTRA" "" "SOURCES;PUBLIC;PRIVATE" ${ARGN})
  if(NOT L_SOURCES)
    message(FATAL_ERROR "ahvn_add_library(${name}): no SOURCES")
  endif()
  set(target ahvn_${name})
  add_library(${target} ${L_SOURCES})
  add_library(ahvn::${name} ALIAS ${target})
  target_include_directories(${target} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}>
    $<BUILD_INTERFACE:${AHVN_GENERATED_INCLUDE_DIR}>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  target_compile_features(${target} PUBLIC cxx_std_20)
  target_link_libraries(${target}
    PUBLIC ${L_PUBLIC}
    PRIVATE ${L_PRIVATE} $<BUILD_INTERFACE:ahvn_warnings>)
  set_target_properties(${target} PROPERTIES
    EXPORT_NAME ${name}
    VERSION ${PROJECT_VERSION}
    SOVERSION ${AHVN_SOVERSION}
    # Installed beside each other: a library finds its siblings wherever the prefix is.
    INSTALL_RPATH "$ORIGIN")
  if(BUILD_SHARED_LIBS AND CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    # Calls inside a library stay direct (and inlinable) as in a static build: the hit path
    # crosses several functions of ahvn_messages and ahvn_backends.
    target_compile_options(${target} PRIVATE -fno-semantic-interposition)
  endif()
  install(TARGETS ${target} EXPORT ahvn_cache_targets
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT runtime NAMELINK_COMPONENT dev
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev
    RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)
  if(NOT L_EXTRA)
    set_property(GLOBAL APPEND PROPERTY AHVN_LIBRARIES ${target})
  endif()
endfunction()

# ahvn_install_apps(target...): installs programs into bin/ (the ahvn-cache .deb), finding the
# libraries in ../lib relative to themselves, so an installed tree works under any prefix.
function(ahvn_install_apps)
  foreach(app ${ARGN})
    set_property(TARGET ${app} PROPERTY INSTALL_RPATH "$ORIGIN/../${CMAKE_INSTALL_LIBDIR}")
  endforeach()
  install(TARGETS ${ARGN} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)
endfunction()
