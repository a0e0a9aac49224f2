/* scc — Kubernetes-style field errors ("<path>: Invalid value: 5: must be: 6")
 * and their aggregation, rendered byte for byte as apimachinery renders them.
 *
 * An scc_errlist owns its entries. Every entry keeps its field path and its
 * fully rendered text. Values are passed already rendered in Go style through
 * the scc_val_* helpers (which return heap strings the caller frees). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum scc_err_type {
        SCC_ERR_REQUIRED,      /* "Required value" */
        SCC_ERR_FORBIDDEN,     /* "Forbidden" */
        SCC_ERR_INVALID,       /* "Invalid value: <value>" */
        SCC_ERR_NOT_SUPPORTED, /* "Unsupported value: <value>" */
} scc_err_type;

typedef struct scc_field_error {
        char *field; /* rendered path, e.g. "provider restricted: .containers[0].runAsUser" */
        char *text;  /* "<field>: <body>" */
} scc_field_error;

typedef struct scc_errlist {
        scc_field_error *v;
        size_t n, alloc;
} scc_errlist;

#define SCC_ERRLIST_INIT {NULL, 0, 0}

void scc_errlist_init(scc_errlist *l);
void scc_errlist_release(scc_errlist *l);
/* Appends an error. value is a rendered Go value (ignored for Required and
 * Forbidden; NULL renders as "null" for Invalid). detail may be NULL or "". */
void scc_errlist_add(scc_errlist *l, scc_err_type t, const char *field, const char *value,
                     const char *detail);
/* Appends a pre-rendered error text (for errors that are not field errors). */
void scc_errlist_add_text(scc_errlist *l, const char *text);
/* Moves every entry of src to the end of dst; src is left empty. */
void scc_errlist_move(scc_errlist *dst, scc_errlist *src);

/* utilerrors.NewAggregate(list).Error(): drops texts already seen (first
 * occurrence kept), one error → its text, several → "[a, b]", none → "<nil>".
 * Caller frees. */
char *scc_errlist_aggregate(const scc_errlist *l);
/* fmt "%v" of the raw list: "[a b]" (space separated, no de-duplication, "[]"
 * when empty). Caller frees. */
char *scc_errlist_raw(const scc_errlist *l);

/* Go-style value renderers (heap strings, caller frees). */
char *scc_val_quote(const char *s);                 /* %q: "a\"b" */
char *scc_val_int(int64_t v);                       /* 5 */
char *scc_val_bool(bool v);                         /* true */
char *scc_val_null(void);                           /* "null" */
/* %#v of a slice: "<type>{1, 2}", "<type>{}" (empty) or "<type>(nil)" (nil). */
char *scc_val_int_slice(const int64_t *v, size_t n, bool is_nil);
char *scc_val_str_slice(const char *type, const char *const *v, size_t n, bool is_nil);
