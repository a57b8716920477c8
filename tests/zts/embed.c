/*
 * The closte extension in a thread-safe PHP, driven the way FrankenPHP drives it: one
 * process, the embed SAPI started once, N threads that each get their own PHP thread
 * context (ts_resource) and then run PHP requests one after the other
 * (php_request_startup / php_request_shutdown per request), all at the same time.
 *
 * usage: zts-embed SCRIPT THREADS ROUNDS
 *   SCRIPT is evaluated once per request as (function ($thread, $round) { return require
 *   SCRIPT; })(T, R); it returns "ok" or what went wrong. php.ini: $CLOSTE_ZTS_INI.
 * Prints "req T R ok" / "req T R FAIL why" per request and, after every round (all
 * threads wait for each other between rounds), "mem R RSS_KB FDS" for the process.
 * tests/zts/run.php reads this output and checks it.
 */
#include <sapi/embed/php_embed.h>
#include <SAPI.h>
#include <main/php_main.h>
#include <pthread.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef ZTS
#error "tests/zts needs a thread-safe (ZTS) PHP"
#endif

static const char *script;
static int rounds;
static pthread_barrier_t round_start, round_end;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

static void say(const char *fmt, ...)
{
	va_list ap;
	pthread_mutex_lock(&out_lock);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fflush(stderr);
	pthread_mutex_unlock(&out_lock);
}

/* One PHP request: returns a malloc'ed verdict. */
static char *request(int thread, int round)
{
	char code[4096];
	char *verdict = NULL;

	SG(options) |= SAPI_OPTION_NO_CHDIR;
	SG(request_info).no_headers = 1;
	if (php_request_startup() == FAILURE) {
		return strdup("FAIL php_request_startup failed");
	}
	SG(headers_sent) = 1;
	snprintf(code, sizeof code, "(function (int $thread, int $round) { return require '%s'; })(%d, %d)",
		script, thread, round);
	zend_first_try {
		zval rv;
		ZVAL_UNDEF(&rv);
		if (zend_eval_stringl_ex(code, strlen(code), &rv, "zts-embed", 1) == SUCCESS
			&& Z_TYPE(rv) == IS_STRING) {
			verdict = strdup(Z_STRVAL(rv));
		} else {
			verdict = strdup("FAIL the request did not return a string");
		}
		zval_ptr_dtor(&rv);
	} zend_catch {
		verdict = strdup("FAIL bailout (fatal error)");
	} zend_end_try();
	php_request_shutdown(NULL);
	return verdict;
}

static void *worker(void *arg)
{
	int thread = (int) (intptr_t) arg;

	(void) ts_resource(0); /* this thread's PHP globals */
	for (int round = 1; round <= rounds; round++) {
		pthread_barrier_wait(&round_start);
		char *verdict = request(thread, round);
		say("req %d %d %s\n", thread, round, verdict);
		free(verdict);
		pthread_barrier_wait(&round_end);
	}
	ts_free_thread();
	return NULL;
}

static long rss_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;
	while (f && fgets(line, sizeof line, f)) {
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1) {
			break;
		}
	}
	if (f) {
		fclose(f);
	}
	return kb;
}

static int fd_count(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;
	struct dirent *e;
	while (d && (e = readdir(d))) {
		n += e->d_name[0] != '.';
	}
	if (d) {
		closedir(d);
	}
	return n - 1; /* the directory itself */
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: %s SCRIPT THREADS ROUNDS\n", argv[0]);
		return 2;
	}
	script = argv[1];
	int threads = atoi(argv[2]);
	rounds = atoi(argv[3]);
	if (threads < 1 || rounds < 1 || strchr(script, '\'')) {
		fprintf(stderr, "bad arguments\n");
		return 2;
	}
	php_embed_module.php_ini_path_override = getenv("CLOSTE_ZTS_INI");
	/* php_embed_init starts the module (MINIT of the extension) and a request on this thread. */
	char *php_argv[] = {argv[0], NULL};
	if (php_embed_init(1, php_argv) == FAILURE) {
		fprintf(stderr, "php_embed_init failed\n");
		return 1;
	}
	/* The main thread's own request ends: from here on only the workers run PHP. */
	php_request_shutdown(NULL);

	pthread_barrier_init(&round_start, NULL, threads + 1);
	pthread_barrier_init(&round_end, NULL, threads + 1);
	pthread_t *tids = calloc(threads, sizeof *tids);
	for (int t = 0; t < threads; t++) {
		if (pthread_create(&tids[t], NULL, worker, (void *) (intptr_t) t) != 0) {
			fprintf(stderr, "pthread_create failed\n");
			return 1;
		}
	}
	for (int round = 1; round <= rounds; round++) {
		pthread_barrier_wait(&round_start);
		pthread_barrier_wait(&round_end);
		say("mem %d %ld %d\n", round, rss_kb(), fd_count());
	}
	for (int t = 0; t < threads; t++) {
		pthread_join(tids[t], NULL);
	}
	free(tids);

	/* php_embed_shutdown ends the request php_embed_init started: start one to end. */
	SG(options) |= SAPI_OPTION_NO_CHDIR;
	php_request_startup();
	php_embed_shutdown();
	say("done\n");
	return 0;
}
