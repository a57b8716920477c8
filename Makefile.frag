# closte (appended to phpize's Makefile by config.m4): cargo builds the module for the
# PHP that configure selected, and modules/closte.so is a copy of cargo's library.
# closte.dep (cargo's dep-info) lets `make install` skip cargo when nothing changed, so
# `sudo make install` after `make` never runs cargo as another user.

CLOSTE_LIB = $(CLOSTE_TARGET_DIR)/release/libcloste.so
CLOSTE_ENV = PHP='$(CLOSTE_PHP)' PHP_CONFIG='$(CLOSTE_PHP_CONFIG)' CARGO_TARGET_DIR='$(CLOSTE_TARGET_DIR)' \
	$(if $(CLOSTE_RUSTUP_HOME),RUSTUP_HOME='$(CLOSTE_RUSTUP_HOME)') $(if $(CLOSTE_CARGO_HOME),CARGO_HOME='$(CLOSTE_CARGO_HOME)')

$(phplibdir)/closte.la: $(CLOSTE_LIB)
	@$(mkinstalldirs) $(phplibdir)
	cp '$(CLOSTE_LIB)' '$(phplibdir)/closte.so'
	@printf "# lets PHP's 'make test' find the module\ndlname='closte.so'\n" > '$@'

$(CLOSTE_LIB): $(CLOSTE_SRCDIR)/Cargo.toml $(CLOSTE_SRCDIR)/Cargo.lock $(top_builddir)/config.status
	cd '$(CLOSTE_SRCDIR)' && env $(CLOSTE_ENV) '$(CLOSTE_CARGO)' build --release --locked -p closte $(CARGO_FLAGS)
	@d='$(CLOSTE_TARGET_DIR)/release/libcloste.d'; if test -f "$$d"; then \
		deps=`sed -n '1s/^[^:]*://p' "$$d"`; \
		{ echo '$(CLOSTE_LIB):' $$deps; for f in $$deps; do echo "$$f:"; done; } > '$(top_builddir)/closte.dep'; \
	fi
	@touch '$@'

-include $(top_builddir)/closte.dep
