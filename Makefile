# Builds build/redirect-map and build/ngx_http_legacy_redirect_module.so.
#
# The module is built against Debian's nginx-dev (NGINX_SRC) with the
# configure flags Debian used (its conf_flags), so that it loads into
# Debian's nginx.  For upstream nginx source, use the root "config" file:
#     ./configure --with-compat --add-dynamic-module=THIS_FOLDER

NGINX_SRC ?= /usr/share/nginx/src
BUILD     ?= build
CC        ?= cc
CFLAGS    ?= -O2 -g
WARN      := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes
CPPFLAGS  += -Iinclude -Itools -D_GNU_SOURCE
LDLIBS    += -lyaml -lpcre2-8

CORE_SRCS := include/lrmap_hash.c include/lrmap_normalize.c include/lrmap_rules.c \
             include/lrmap_reader.c include/lrmap_writer.c
TOOL_SRCS := tools/main.c tools/cmd_build.c tools/cmd_query.c \
             tools/redirects.c tools/mapfile.c tools/atomic.c tools/diag.c \
             tools/posts.c tools/walk.c tools/frontmatter.c tools/dates.c \
             tools/template.c tools/config.c tools/rules.c tools/imports.c \
             tools/chains.c tools/yamlerr.c tools/progress.c \
             tools/cmd_check.c tools/json.c tools/cmd_info.c \
             tools/cmd_dump.c tools/cmd_diff.c
MODULE_SRCS := config $(wildcard ngx_module/*.[ch]) include/lrmap.h \
             include/lrmap_hash.c include/lrmap_normalize.c \
             include/lrmap_reader.c include/lrmap_rules.c

TOOL_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(CORE_SRCS) $(TOOL_SRCS))
MODULE    := $(BUILD)/ngx_http_legacy_redirect_module.so

# the tool's sources that the content-reader unit test links
POSTS_SRCS := tools/posts.c tools/walk.c tools/frontmatter.c tools/dates.c \
              tools/template.c tools/diag.c tools/yamlerr.c \
              include/lrmap_normalize.c

UNIT_TESTS := $(BUILD)/test_lrmap $(BUILD)/test_posts

# make install [PREFIX=/usr/local] [DESTDIR=...]: the tool and its man
# page under PREFIX, the module where Debian's nginx looks for modules,
# and a load file in modules-available as Debian's libnginx-mod-* have
PREFIX            ?= /usr/local
BINDIR            ?= $(PREFIX)/bin
MANDIR            ?= $(PREFIX)/share/man
NGINX_MODULES_DIR ?= /usr/lib/nginx/modules
NGINX_AVAILABLE   ?= /usr/share/nginx/modules-available
LOAD_FILE         := mod-http-legacy-redirect.conf

.PHONY: all tool module module-compat unit test install deb clean

all: tool module

tool: $(BUILD)/redirect-map

$(BUILD)/redirect-map: $(TOOL_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/obj/%.o: %.c $(wildcard include/*.h tools/*.h)
	@mkdir -p $(dir $@)
	$(CC) -std=c11 $(CPPFLAGS) $(CFLAGS) $(WARN) -c -o $@ $<

module: $(MODULE)

# nginx-dev ships headers and configure only: copy them, configure with
# Debian's flags plus this module (again only when "config" changes), and
# build just the modules.
$(BUILD)/nginx/objs/Makefile: config
	@test -f $(NGINX_SRC)/conf_flags || { echo "no nginx-dev in $(NGINX_SRC)" >&2; exit 1; }
	rm -rf $(BUILD)/nginx
	mkdir -p $(BUILD)/nginx
	cp -r $(NGINX_SRC)/. $(BUILD)/nginx/
	cd $(BUILD)/nginx && bash -c '. ./conf_flags && ./configure "$${NGX_CONF_FLAGS[@]}" --add-dynamic-module=$(CURDIR) >configure.log 2>&1' || { tail -20 $(BUILD)/nginx/configure.log >&2; exit 1; }

$(MODULE): $(MODULE_SRCS) $(BUILD)/nginx/objs/Makefile
	$(MAKE) -s -C $(BUILD)/nginx -f objs/Makefile modules >/dev/null
	@# a new file, not the old one overwritten: an nginx that loaded the
	@# old one keeps its pages (overwriting them in place crashes it)
	cp $(BUILD)/nginx/objs/ngx_http_legacy_redirect_module.so $@.tmp
	mv -f $@.tmp $@

# The way upstream nginx source builds a third-party module: configure
# with --with-compat only, then "make modules".
module-compat: $(MODULE_SRCS)
	rm -rf $(BUILD)/nginx-compat
	mkdir -p $(BUILD)/nginx-compat
	cp -r $(NGINX_SRC)/. $(BUILD)/nginx-compat/
	cd $(BUILD)/nginx-compat && ./configure --with-compat --add-dynamic-module=$(CURDIR) >configure.log 2>&1 || { tail -20 configure.log >&2; exit 1; }
	$(MAKE) -s -C $(BUILD)/nginx-compat -f objs/Makefile modules >/dev/null
	@ls -l $(BUILD)/nginx-compat/objs/ngx_http_legacy_redirect_module.so

# unit tests, with AddressSanitizer and UBSan
SAN := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer

unit: $(UNIT_TESTS)

$(BUILD)/test_lrmap: t/unit/test_lrmap.c $(CORE_SRCS) $(wildcard include/*.h)
	@mkdir -p $(BUILD)
	$(CC) -std=c11 $(CPPFLAGS) $(SAN) $(WARN) -o $@ $< $(CORE_SRCS)

$(BUILD)/test_posts: t/unit/test_posts.c $(POSTS_SRCS) $(wildcard tools/*.h)
	@mkdir -p $(BUILD)
	$(CC) -std=c11 $(CPPFLAGS) $(SAN) $(WARN) -o $@ $< $(POSTS_SRCS) $(LDLIBS)

test: all
	bash t/run.sh

install: all
	install -D -m 755 $(BUILD)/redirect-map $(DESTDIR)$(BINDIR)/redirect-map
	if [ -f docs/redirect-map.1 ]; then \
	    install -D -m 644 docs/redirect-map.1 \
	        $(DESTDIR)$(MANDIR)/man1/redirect-map.1; fi
	install -D -m 644 $(MODULE) \
	    $(DESTDIR)$(NGINX_MODULES_DIR)/ngx_http_legacy_redirect_module.so
	install -d $(DESTDIR)$(NGINX_AVAILABLE)
	echo 'load_module modules/ngx_http_legacy_redirect_module.so;' \
	    > $(DESTDIR)$(NGINX_AVAILABLE)/$(LOAD_FILE)
	@echo "enable the module with:"
	@echo "  ln -s $(NGINX_AVAILABLE)/$(LOAD_FILE) /etc/nginx/modules-enabled/50-$(LOAD_FILE)"

# Debian packages (libnginx-mod-http-legacy-redirect and redirect-map),
# built from the committed tree (git archive HEAD) into build/deb/
deb:
	rm -rf $(BUILD)/deb
	mkdir -p $(BUILD)/deb/src
	git archive HEAD | tar -x -C $(BUILD)/deb/src
	cd $(BUILD)/deb/src && dpkg-buildpackage -us -uc -b
	@ls -l $(BUILD)/deb/*.deb

clean:
	rm -rf $(BUILD) t/servroot

# ---- robustness: fuzzing, sanitizers, stress (docs/robustness.md) -------
#
#   make fuzz          every libFuzzer target for FUZZ_SECONDS (default 30)
#   make fuzz-long     every target for FUZZ_LONG_SECONDS (default 600)
#   make fuzz-build    just build them (build/fuzz/)
#   make sanitize      the Test::Nginx suite with the module built with
#                      ASan+UBSan (build/nginx-asan), and the tool's tests
#                      with an ASan+UBSan build of the tool
#   make valgrind      the Test::Nginx suite with nginx under valgrind
#   make stress        live faults and reload under load (t/stress/)

FUZZ_CC      ?= clang
FUZZ_FLAGS   := -O1 -g -fsanitize=fuzzer,address,undefined \
                -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_SECONDS ?= 30
FUZZ_LONG_SECONDS ?= 600
FUZZ_TARGETS := map normalize posts config import_json import_netlify \
                import_tsv
FUZZ_LIB_SRCS := $(CORE_SRCS) $(filter-out tools/main.c tools/cmd_%.c,$(TOOL_SRCS))
FUZZ_BINS    := $(addprefix $(BUILD)/fuzz/fuzz_,$(FUZZ_TARGETS))
FUZZ_DEPS    := fuzz/common.c fuzz/common.h $(FUZZ_LIB_SRCS) \
                $(wildcard include/*.h tools/*.h)

.PHONY: fuzz fuzz-long fuzz-build sanitize sanitize-module sanitize-tool \
        valgrind stress

fuzz-build: $(FUZZ_BINS)

$(BUILD)/fuzz/fuzz_import_json: fuzz/fuzz_import.c $(FUZZ_DEPS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) -Ifuzz $(FUZZ_FLAGS) -DIMPORT_NAME='"list.json"' -o $@ $< fuzz/common.c $(FUZZ_LIB_SRCS) $(LDLIBS)

$(BUILD)/fuzz/fuzz_import_netlify: fuzz/fuzz_import.c $(FUZZ_DEPS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) -Ifuzz $(FUZZ_FLAGS) -DIMPORT_NAME='"_redirects"' -o $@ $< fuzz/common.c $(FUZZ_LIB_SRCS) $(LDLIBS)

$(BUILD)/fuzz/fuzz_import_tsv: fuzz/fuzz_import.c $(FUZZ_DEPS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) -Ifuzz $(FUZZ_FLAGS) -DIMPORT_NAME='"list.tsv"' -o $@ $< fuzz/common.c $(FUZZ_LIB_SRCS) $(LDLIBS)

$(BUILD)/fuzz/fuzz_%: fuzz/fuzz_%.c $(FUZZ_DEPS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) -Ifuzz $(FUZZ_FLAGS) -o $@ $< fuzz/common.c $(FUZZ_LIB_SRCS) $(LDLIBS)

fuzz: fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) BUILD=$(BUILD) bash fuzz/run.sh $(FUZZ_TARGETS)

fuzz-long: fuzz-build
	FUZZ_SECONDS=$(FUZZ_LONG_SECONDS) BUILD=$(BUILD) bash fuzz/run.sh $(FUZZ_TARGETS)

# the module built with ASan+UBSan, as module-compat builds it, with
# --with-debug as Debian's nginx (its debug log lines are tested)
sanitize-module: $(MODULE_SRCS)
	rm -rf $(BUILD)/nginx-asan
	mkdir -p $(BUILD)/nginx-asan
	cp -r $(NGINX_SRC)/. $(BUILD)/nginx-asan/
	cd $(BUILD)/nginx-asan && ./configure --with-compat --with-debug --add-dynamic-module=$(CURDIR) \
	    --with-cc-opt='-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer' \
	    --with-ld-opt='-fsanitize=address,undefined' >configure.log 2>&1 \
	    || { tail -20 configure.log >&2; exit 1; }
	$(MAKE) -s -C $(BUILD)/nginx-asan -f objs/Makefile modules >/dev/null

sanitize: all sanitize-module
	BUILD=$(BUILD) bash fuzz/sanitize.sh

valgrind: all
	MODE=valgrind BUILD=$(BUILD) bash fuzz/sanitize.sh

# live faults and reload under load, against Debian's nginx (needs wrk)
stress: all
	prove -v t/stress/live-faults.pl t/stress/reload-load.pl

# ---- benchmark (bench/README.md) -----------------------------------------
#
#   make bench                          the whole suite (about 15 minutes)
#   make bench BENCH_ARGS="--quick"     small sizes, to try it
#   make bench BENCH_ARGS="--parts lookup --alt-10m"

BENCH_ARGS ?=

.PHONY: bench

bench: all
	bash bench/install-deps.sh
	perl bench/bench.pl $(BENCH_ARGS)
