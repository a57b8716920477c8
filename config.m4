dnl config.m4 of the closte extension: the standard PHP build (phpize && ./configure &&
dnl make && make install), as PIE, PECL-style scripts, docker-php-ext-install and Debian's
dnl dh-php run it. The module is Rust: configure finds cargo, rustc and libclang, and the
dnl Makefile rule (Makefile.frag) runs `cargo build --release` against the PHP that
dnl phpize and configure selected, then copies the library to modules/closte.so.
dnl See docs/packaging.md.

PHP_ARG_ENABLE([closte],
  [whether to enable the closte extension],
  [AS_HELP_STRING([--disable-closte], [Do not build the closte extension (built by default)])],
  [yes])

PHP_ARG_WITH([cargo],
  [for the cargo to build closte with],
  [AS_HELP_STRING([--with-cargo=PATH], [closte: path to cargo (default: cargo in PATH or ~/.cargo/bin)])],
  [no], [no])

if test "$PHP_CLOSTE" != "no"; then
  closte_srcdir=$abs_srcdir

  dnl cargo: --with-cargo, $CARGO, PATH, then rustup's default place.
  AC_MSG_CHECKING([for cargo])
  if test "$PHP_CARGO" != "no" && test "$PHP_CARGO" != "yes"; then
    CLOSTE_CARGO=$PHP_CARGO
  elif test -n "$CARGO"; then
    CLOSTE_CARGO=$CARGO
  else
    CLOSTE_CARGO=`command -v cargo 2>/dev/null`
    if test -z "$CLOSTE_CARGO" && test -x "$HOME/.cargo/bin/cargo"; then
      CLOSTE_CARGO=$HOME/.cargo/bin/cargo
    fi
  fi
  if test -z "$CLOSTE_CARGO" || ! "$CLOSTE_CARGO" --version >/dev/null 2>&1; then
    AC_MSG_RESULT([no])
    AC_MSG_ERROR([cargo not found${CLOSTE_CARGO:+ (or it does not run: $CLOSTE_CARGO)}. closte is written in Rust:
install Rust with rustup (https://rustup.rs, then open a new shell), or your
distribution's cargo and rustc packages if they are recent enough, or pass
--with-cargo=/path/to/cargo.])
  fi
  AC_MSG_RESULT([$CLOSTE_CARGO])

  dnl Under `sudo make install` HOME changes, and rustup's cargo would not find its
  dnl toolchain: remember where rustup and cargo keep theirs, as configure saw it.
  CLOSTE_RUSTUP_HOME=${RUSTUP_HOME:-}
  if test -z "$CLOSTE_RUSTUP_HOME" && test -d "$HOME/.rustup"; then
    CLOSTE_RUSTUP_HOME=$HOME/.rustup
  fi
  CLOSTE_CARGO_HOME=${CARGO_HOME:-}
  if test -z "$CLOSTE_CARGO_HOME" && test -d "$HOME/.cargo"; then
    CLOSTE_CARGO_HOME=$HOME/.cargo
  fi

  dnl rustc: the one cargo runs (rustup picks it per directory).
  closte_need=`sed -n 's/^rust-version *= *"\(.*\)"/\1/p' "$closte_srcdir/Cargo.toml" | head -n 1`
  AC_MSG_CHECKING([for rustc $closte_need or newer])
  if test -n "$RUSTC"; then
    CLOSTE_RUSTC=$RUSTC
  elif test -x "`dirname "$CLOSTE_CARGO"`/rustc"; then
    CLOSTE_RUSTC=`dirname "$CLOSTE_CARGO"`/rustc
  else
    CLOSTE_RUSTC=rustc
  fi
  closte_have=`cd "$closte_srcdir" && "$CLOSTE_RUSTC" --version 2>/dev/null | sed -n 's/^rustc \([[0-9]][[0-9]]*\.[[0-9]][[0-9]]*\.[[0-9]][[0-9]]*\).*/\1/p'`
  if test -z "$closte_have"; then
    AC_MSG_RESULT([no])
    AC_MSG_ERROR([rustc ($CLOSTE_RUSTC) does not run: install Rust $closte_need or newer (rustup: https://rustup.rs).])
  fi
  closte_old=`printf '%s\n%s\n' "$closte_need" "$closte_have" | sort -t. -k1,1n -k2,2n -k3,3n | head -n 1`
  if test "$closte_old" != "$closte_need"; then
    AC_MSG_RESULT([$closte_have])
    AC_MSG_ERROR([rustc $closte_have is too old: closte needs Rust $closte_need or newer.
Update it with `rustup update stable`, or install a newer Rust from https://rustup.rs
(distribution rustc packages are often older).])
  fi
  AC_MSG_RESULT([$closte_have ($CLOSTE_RUSTC)])

  dnl libclang: bindgen (through ext-php-rs) loads it to read PHP's headers. The same
  dnl places clang-sys looks: LIBCLANG_PATH when set, else llvm-config and the usual dirs.
  AC_MSG_CHECKING([for libclang])
  closte_libclang=
  if test -n "$LIBCLANG_PATH"; then
    closte_dirs=$LIBCLANG_PATH
  else
    closte_dirs="`llvm-config --libdir 2>/dev/null` /usr/lib/llvm-*/lib /usr/local/lib /usr/local/lib64 /usr/lib64 /usr/lib /usr/lib/*-linux-gnu /lib/*-linux-gnu /usr/lib/llvm/*/lib /usr/lib64/llvm"
  fi
  for closte_d in $closte_dirs; do
    if test -f "$closte_d" && test -r "$closte_d"; then closte_libclang=$closte_d; break; fi
    for closte_f in "$closte_d"/libclang.so "$closte_d"/libclang.so.* "$closte_d"/libclang-*.so "$closte_d"/libclang-*.so.*; do
      if test -r "$closte_f"; then closte_libclang=$closte_f; break 2; fi
    done
  done
  if test -z "$closte_libclang"; then
    AC_MSG_RESULT([no])
    AC_MSG_ERROR([libclang not found${LIBCLANG_PATH:+ in LIBCLANG_PATH=$LIBCLANG_PATH}: the build reads PHP's headers with bindgen, which needs it.
Install libclang-dev (Debian, Ubuntu), clang-devel (Fedora, RHEL), clang-dev (Alpine)
or clang (Arch), or set LIBCLANG_PATH to the directory that holds libclang.so.])
  fi
  AC_MSG_RESULT([$closte_libclang])

  dnl Where cargo builds: the source tree's target/ (shared with `make build`), unless
  dnl CARGO_TARGET_DIR says otherwise at configure time.
  CLOSTE_TARGET_DIR=${CARGO_TARGET_DIR:-$closte_srcdir/target}
  case $CLOSTE_TARGET_DIR in /*) ;; *) CLOSTE_TARGET_DIR=`pwd`/$CLOSTE_TARGET_DIR ;; esac
  CLOSTE_SRCDIR=$closte_srcdir
  CLOSTE_PHP_CONFIG=`command -v "$PHP_CONFIG" 2>/dev/null || echo "$PHP_CONFIG"`
  CLOSTE_PHP=$PHP_EXECUTABLE
  PHP_SUBST(CLOSTE_CARGO)
  PHP_SUBST(CLOSTE_RUSTUP_HOME)
  PHP_SUBST(CLOSTE_CARGO_HOME)
  PHP_SUBST(CLOSTE_TARGET_DIR)
  PHP_SUBST(CLOSTE_SRCDIR)
  PHP_SUBST(CLOSTE_PHP_CONFIG)
  PHP_SUBST(CLOSTE_PHP)

  dnl No C sources: the module is the cargo rule's output, installed by PHP's own
  dnl install-modules (everything in modules/ goes to the extension dir).
  PHP_MODULES="\$(phplibdir)/closte.la"
  PHP_ADD_BUILD_DIR([modules])
  PHP_ADD_MAKEFILE_FRAGMENT([$closte_srcdir/Makefile.frag], [$closte_srcdir], [$abs_builddir])
fi
