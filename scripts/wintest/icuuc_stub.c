/* Stand-in for Windows' system icuuc.dll, which wine does not ship and Qt 6.10+ links.
 * Every converter fails to open and none is listed, so Qt falls back to its own codecs.
 * Test harness only (scripts/dev.sh wintest); a real Windows 10 1903+ has the genuine DLL.
 * Build: x86_64-w64-mingw32-gcc -shared -O2 -o icuuc.dll icuuc_stub.c */
#include <stddef.h>

typedef int UErrorCode;
#define U_FILE_ACCESS_ERROR 4
#define EXPORT __declspec(dllexport)

EXPORT void *ucnv_open(const char *name, UErrorCode *err) {
    (void)name;
    if (err && *err <= 0) *err = U_FILE_ACCESS_ERROR;
    return NULL;
}
EXPORT int ucnv_countAvailable(void) { return 0; }

/* Never reached once ucnv_open fails; present because Qt imports them. */
EXPORT void ucnv_close(void *c) { (void)c; }
EXPORT void ucnv_reset(void *c) { (void)c; }
EXPORT int ucnv_getMaxCharSize(const void *c) { (void)c; return 0; }
EXPORT const char *ucnv_getName(const void *c, UErrorCode *err) { (void)c; (void)err; return NULL; }
EXPORT const char *ucnv_getStandardName(const char *n, const char *s, UErrorCode *err) { (void)n; (void)s; (void)err; return NULL; }
EXPORT const char *ucnv_getAvailableName(int i) { (void)i; return NULL; }
EXPORT void ucnv_getToUCallBack(const void *c, void **a, const void **b) { (void)c; (void)a; (void)b; }
EXPORT void ucnv_getFromUCallBack(const void *c, void **a, const void **b) { (void)c; (void)a; (void)b; }
EXPORT void ucnv_setToUCallBack(void *c, void *a, const void *b, void **d, const void **e, UErrorCode *err) { (void)c; (void)a; (void)b; (void)d; (void)e; (void)err; }
EXPORT void ucnv_setFromUCallBack(void *c, void *a, const void *b, void **d, const void **e, UErrorCode *err) { (void)c; (void)a; (void)b; (void)d; (void)e; (void)err; }
EXPORT void ucnv_toUnicode(void *c, void **t, const void *tl, const char **s, const char *sl, int *o, int f, UErrorCode *err) { (void)c; (void)t; (void)tl; (void)s; (void)sl; (void)o; (void)f; (void)err; }
EXPORT void ucnv_fromUnicode(void *c, char **t, const char *tl, const void **s, const void *sl, int *o, int f, UErrorCode *err) { (void)c; (void)t; (void)tl; (void)s; (void)sl; (void)o; (void)f; (void)err; }
EXPORT int ucnv_toUCountPending(const void *c, UErrorCode *err) { (void)c; (void)err; return 0; }
EXPORT int ucnv_fromUCountPending(const void *c, UErrorCode *err) { (void)c; (void)err; return 0; }
EXPORT void ucnv_cbToUWriteUChars(void *a, const void *s, int l, int o, UErrorCode *err) { (void)a; (void)s; (void)l; (void)o; (void)err; }
EXPORT void ucnv_cbFromUWriteUChars(void *a, const void **s, const void *sl, int o, UErrorCode *err) { (void)a; (void)s; (void)sl; (void)o; (void)err; }
EXPORT void UCNV_TO_U_CALLBACK_SUBSTITUTE(const void *c, void *a, const char *b, int l, int r, UErrorCode *err) { (void)c; (void)a; (void)b; (void)l; (void)r; (void)err; }
EXPORT void UCNV_FROM_U_CALLBACK_SUBSTITUTE(const void *c, void *a, const void *b, int l, int cp, int r, UErrorCode *err) { (void)c; (void)a; (void)b; (void)l; (void)cp; (void)r; (void)err; }
