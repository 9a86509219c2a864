# The Debian package (`cpack -G DEB` in a build directory): tailcast in /usr/bin, its systemd unit,
# sysusers entry, config and defaults, and maintainer scripts. The top-level CMakeLists.txt
# includes this file after install(TARGETS tailcast ...).
set(TC_PACKAGING_DIR "${CMAKE_CURRENT_LIST_DIR}/..")

install(FILES "${TC_PACKAGING_DIR}/systemd/tailcast.service" DESTINATION lib/systemd/system)
install(FILES "${TC_PACKAGING_DIR}/systemd/tailcast.sysusers" DESTINATION lib/sysusers.d
        RENAME tailcast.conf)
install(FILES "${PROJECT_SOURCE_DIR}/configs/ray-serve-node.yaml" DESTINATION /etc/tailcast
        RENAME config.yaml PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
install(FILES "${TC_PACKAGING_DIR}/systemd/tailcast.default" DESTINATION /etc/default
        RENAME tailcast)
install(FILES "${TC_PACKAGING_DIR}/README.md" DESTINATION share/doc/tailcast)

set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "tailcast")
set(CPACK_PACKAGE_VENDOR "tailcast")
set(CPACK_PACKAGE_CONTACT "tailcast maintainers <tailcast@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "Log shipper for Ray Serve: Promtail-compatible pipelines to Loki, Kafka and OTLP")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
# /etc paths are absolute on purpose: configuration does not follow the /usr prefix.
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_WARN_ON_ABSOLUTE_INSTALL_DESTINATION OFF)
# Debug sections stay in the build tree; the package ships a stripped binary.
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_PACKAGE_NAME "tailcast")
set(CPACK_DEBIAN_FILE_NAME "DEB-DEFAULT")
set(CPACK_DEBIAN_PACKAGE_SECTION "admin")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
# Library dependencies come from dpkg-shlibdeps on the installed binary, so they match whatever
# the build machine linked against.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# systemd runs the unit and creates the account (systemd-sysusers); without it, postinst falls
# back to useradd from the passwd package.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "systemd")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${CMAKE_CURRENT_LIST_DIR}/postinst" "${CMAKE_CURRENT_LIST_DIR}/prerm"
    "${CMAKE_CURRENT_LIST_DIR}/postrm" "${CMAKE_CURRENT_LIST_DIR}/conffiles")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

include(CPack)
