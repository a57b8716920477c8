# The closte PHP extension's own targets (GNUmakefile hands `make X` here; PHP's phpize
# build writes a Makefile of its own). `make demo` and `make test` set up everything they need
# on a fresh Debian machine with Rust (see README.md).

CARGO     ?= cargo
PHP       ?= php
SO        := target/release/libcloste.so
EMULATOR  := target/release/closte-emulator

.PHONY: all deps build demo test test-rust test-php test-stubs test-fuzz test-wordpress fuzz lint install uninstall install-wordpress bench clean \
	dist dist-all deb test-deb test-phpize check-version check-composer test-matrix

all: build

# Installs what is missing (php-cli, php-dev, clang, libclang-dev); does nothing when all is there.
deps:
	@scripts/deps.sh

build: deps
	$(CARGO) build --release --locked --workspace

demo: build
	@scripts/demo.sh

test: build
	@scripts/test.sh

test-rust: build
	@scripts/test.sh rust

test-php: build
	@scripts/test.sh php

test-stubs: build
	@scripts/test.sh stubs

test-fuzz: build
	@scripts/test.sh fuzz

# The long fuzz run for developers: a million property cases per core property, and a
# million PHP calls against the emulator (FUZZ_CALLS, FUZZ_SEED to change them).
fuzz: build
	CLOSTE_FUZZ_CASES=$${CLOSTE_FUZZ_CASES:-1000000} $(CARGO) test --release --locked -p closte-core --lib properties
	FUZZ_CALLS=$${FUZZ_CALLS:-1000000} scripts/test.sh fuzz

# The mu-plugin in a real WordPress multisite on a real MariaDB (installs both if missing).
test-wordpress: build
	@scripts/test.sh wordpress

lint: deps
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --release --locked --workspace --all-targets -- -D warnings
	@set -e; for f in $$(git ls-files '*.php' '*.inc' '*.phpt'); do \
		case $$f in *.phpt|tests/vendor/*) continue;; esac; \
		$(PHP) -n -l $$f >/dev/null || { echo "php -l failed: $$f"; exit 1; }; \
	done; echo "php -l: ok"
	@set -e; for f in $$(git ls-files '*.sh') .ci/run; do \
		bash -n $$f || { echo "bash -n failed: $$f"; exit 1; }; \
	done; echo "bash -n: ok"
	$(PHP) -n scripts/check-links.php README.md docs/*.md
	@$(PHP) scripts/check-i18n.php wordpress/closte-native.php $$(git ls-files 'wordpress/closte-native/')

# Times the extension against PHP streams (a new TLS handshake per call); reports ratios.
# BATCH_N (default 1000) names for the batch part; RTT_MS, SAMPLE, SSL_SAMPLE tune it.
# Then whole-network work (bench/batch.php) through a latency proxy: batch vs loop vs curl_multi,
# the network admin console for CONSOLE_N (500) domains in the real stack (bench/console.php), and
# time to padlock, Ultimate Multisite alone vs with the watcher, plus one watcher tick for 1,000
# domains (bench/padlock.php); wp closte sync --dry-run at 40 and 400 sites (bench/sites.php).
bench: build
	@scripts/deps.sh bench
	CLOSTE_EMULATOR=$(CURDIR)/$(EMULATOR) $(PHP) -n -d extension=$(CURDIR)/$(SO) bench/api_calls.php $(N)
	CLOSTE_EMULATOR=$(CURDIR)/$(EMULATOR) $(PHP) -n -d extension=curl -d extension=$(CURDIR)/$(SO) bench/batch.php $(BATCH_N)
	scripts/test-wordpress.sh --bench-console $${CONSOLE_N:-500}
	scripts/test-wordpress.sh --bench-plan $${PLAN_N:-100000}
	scripts/test-wordpress.sh --bench-padlock
	scripts/test-wordpress.sh --bench-sites

# Installs the extension into the PHP found by php-config, enabled the distro's way.
install: build
	@scripts/install.sh

uninstall:
	@scripts/install.sh --uninstall

# Copies the closte-native must-use plugin into WP's wp-content/mu-plugins.
install-wordpress:
	@scripts/install-wordpress.sh "$(WP)"

# The suites on every lane, each in a Debian root under ~/.cache/closte/roots (made with
# debootstrap when missing): debian12 (the host), debian13 (PHP 8.4, WordPress 6.8), unstable
# (PHP 8.5, WordPress 7), next (PHP 8.6, WordPress 7.1), zts (PHP 8.4 ZTS, threads through
# the embed SAPI).
# LANES="debian13 zts" picks lanes, debian12:php,stubs a lane's suites. Ends with a table.
test-matrix: build
	@scripts/matrix/run.sh $(LANES)

# Packaging (docs/packaging.md). The standard PHP build itself needs no target here:
# `phpize && ./configure && make && make install` (GNUmakefile hands those to phpize's Makefile).

# Proves that build in a copy of this checkout: configure's errors, make, make install
# INSTALL_ROOT=..., and the project's targets surviving configure and phpize --clean.
test-phpize: deps
	@scripts/test-phpize.sh

# PIE's pre-packaged binary of the built module, for the PHP it was built against:
# target/dist/php_closte-<version>_php<X.Y>-x86_64-linux-glibc[-zts].zip
dist: build
	@scripts/dist.sh

# The zips of every lane (PHP 8.2, 8.4, 8.5, 8.6 NTS, 8.4 ZTS), each built in its lane's root
# and installed there the way PIE does, with target/dist/SHA256SUMS. LANES="next zts" picks.
dist-all: build
	@scripts/dist-all.sh $(LANES)

# php<X.Y>-closte_<version>_<arch>.deb for this system's PHP, built with dh-php from vendored crates.
deb: deps
	@scripts/deb.sh

# Installs that .deb with apt-get in a Debian 12 root without Rust (made once with debootstrap
# under ~/.cache/closte/roots/), sees php and php-fpm load it, calls the emulator, removes, purges.
test-deb: deb build
	@scripts/test-deb.sh

# The version (Cargo.toml) agrees with php --ri closte, composer.json, the .deb, the mu-plugin header.
check-version: build
	@scripts/check-version.sh

# composer validate --strict (with Debian unstable's composer when the host's is too old for php-ext).
check-composer:
	@scripts/check-composer.sh

clean:
	$(CARGO) clean
