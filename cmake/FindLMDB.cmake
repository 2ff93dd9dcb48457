# FindLMDB: the Lightning Memory-Mapped Database (Debian's liblmdb-dev).
#
# Imported target: LMDB::lmdb
# Variables: LMDB_FOUND, LMDB_VERSION, LMDB_INCLUDE_DIR
find_path(LMDB_INCLUDE_DIR lmdb.h)
find_library(LMDB_LIBRARY lmdb)

if(LMDB_INCLUDE_DIR AND EXISTS "${LMDB_INCLUDE_DIR}/lmdb.h")
  foreach(_part MAJOR MINOR PATCH)
    file(STRINGS "${LMDB_INCLUDE_DIR}/lmdb.h" _line REGEX "^#define MDB_VERSION_${_part}[ \t]+[0-9]+")
    string(REGEX REPLACE ".*MDB_VERSION_${_part}[ \t]+([0-9]+).*" "\\1" _lmdb_${_part} "${_line}")
  endforeach()
  set(LMDB_VERSION "${_lmdb_MAJOR}.${_lmdb_MINOR}.${_lmdb_PATCH}")
endif()

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(LMDB
  REQUIRED_VARS LMDB_LIBRARY LMDB_INCLUDE_DIR
  VERSION_VAR LMDB_VERSION)

if(LMDB_FOUND AND NOT TARGET LMDB::lmdb)
  add_library(LMDB::lmdb UNKNOWN IMPORTED)
  set_target_properties(LMDB::lmdb PROPERTIES
    IMPORTED_LOCATION "${LMDB_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${LMDB_INCLUDE_DIR}")
endif()
mark_as_advanced(LMDB_INCLUDE_DIR LMDB_LIBRARY)
