# FindSOCI: SOCI 4 with its sqlite3, postgresql and mysql back-ends (Debian's libsoci-dev,
# which ships no CMake config).
#
# Imported targets: SOCI::core, SOCI::sqlite3, SOCI::postgresql, SOCI::mysql
# Variables: SOCI_FOUND, SOCI_VERSION, SOCI_INCLUDE_DIR
find_path(SOCI_INCLUDE_DIR soci/soci.h)
find_library(SOCI_CORE_LIBRARY soci_core)
find_library(SOCI_SQLITE3_LIBRARY soci_sqlite3)
find_library(SOCI_POSTGRESQL_LIBRARY soci_postgresql)
find_library(SOCI_MYSQL_LIBRARY soci_mysql)
find_path(SOCI_PG_INCLUDE_DIR libpq-fe.h PATH_SUFFIXES postgresql)
find_path(SOCI_MYSQL_INCLUDE_DIR mysql.h PATH_SUFFIXES mariadb mysql)

if(SOCI_INCLUDE_DIR AND EXISTS "${SOCI_INCLUDE_DIR}/soci/version.h")
  file(STRINGS "${SOCI_INCLUDE_DIR}/soci/version.h" _line REGEX "^#define SOCI_VERSION [0-9]+")
  string(REGEX REPLACE "^#define SOCI_VERSION ([0-9]+).*" "\\1" _v "${_line}")
  math(EXPR _major "${_v} / 100000")
  math(EXPR _minor "(${_v} / 100) % 1000")
  math(EXPR _patch "${_v} % 100")
  set(SOCI_VERSION "${_major}.${_minor}.${_patch}")
endif()

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(SOCI
  REQUIRED_VARS SOCI_CORE_LIBRARY SOCI_SQLITE3_LIBRARY SOCI_POSTGRESQL_LIBRARY
                SOCI_MYSQL_LIBRARY SOCI_INCLUDE_DIR SOCI_PG_INCLUDE_DIR SOCI_MYSQL_INCLUDE_DIR
  VERSION_VAR SOCI_VERSION)

if(SOCI_FOUND AND NOT TARGET SOCI::core)
  add_library(SOCI::core UNKNOWN IMPORTED)
  set_target_properties(SOCI::core PROPERTIES
    IMPORTED_LOCATION "${SOCI_CORE_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${SOCI_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES "${CMAKE_DL_LIBS}")
  foreach(_be sqlite3 postgresql mysql)
    string(TOUPPER ${_be} _BE)
    add_library(SOCI::${_be} UNKNOWN IMPORTED)
    set_target_properties(SOCI::${_be} PROPERTIES
      IMPORTED_LOCATION "${SOCI_${_BE}_LIBRARY}"
      INTERFACE_LINK_LIBRARIES SOCI::core)
  endforeach()
  set_property(TARGET SOCI::postgresql APPEND PROPERTY
    INTERFACE_INCLUDE_DIRECTORIES "${SOCI_PG_INCLUDE_DIR}")
  set_property(TARGET SOCI::mysql APPEND PROPERTY
    INTERFACE_INCLUDE_DIRECTORIES "${SOCI_MYSQL_INCLUDE_DIR}")
endif()
mark_as_advanced(SOCI_INCLUDE_DIR SOCI_CORE_LIBRARY SOCI_SQLITE3_LIBRARY
                 SOCI_POSTGRESQL_LIBRARY SOCI_MYSQL_LIBRARY SOCI_PG_INCLUDE_DIR SOCI_MYSQL_INCLUDE_DIR)
