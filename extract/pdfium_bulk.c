/* Bulk readers for extract/pdf.py: a page's characters and a path's segments in one call each.

   Through ctypes every pdfium call costs about a microsecond, and a page asked six of them for
   each of its thousand characters and four for each segment of its table rules. These loops ask
   the same questions in C and hand back plain arrays of doubles.

   pypdfium2 loads pdfium privately (RTLD_LOCAL), so its functions are passed in as pointers from
   the ctypes bindings and this library links to nothing. It is a plain shared library loaded with
   ctypes, built by setuptools beside the Python modules (setup.py). */

typedef struct { float left, top, right, bottom; } Rect;
typedef struct { float a, b, c, d, e, f; } Matrix;

typedef struct {
    int (*count_chars)(void *page);
    unsigned int (*unicode)(void *page, int i);
    int (*unicode_map_error)(void *page, int i);
    int (*generated)(void *page, int i);
    int (*loose_box)(void *page, int i, Rect *box);
    int (*origin)(void *page, int i, double *x, double *y);
    int (*matrix)(void *page, int i, Matrix *m);
    double (*font_size)(void *page, int i);
} TextFunctions;

typedef struct {
    int (*count_segments)(void *path);
    void *(*segment)(void *path, int k);
    int (*point)(void *segment, float *x, float *y);
    int (*kind)(void *segment);
    int (*closes)(void *segment);
} PathFunctions;

enum { CHAR_FIELDS = 13, SEGMENT_FIELDS = 4 };

/* Per character, CHAR_FIELDS doubles: code point (U+FFFD where the font maps the code to no
   text or to no character), whether pdfium generated it (a space or line break it inferred),
   the loose box (left top right bottom), the origin (x y), the matrix (a b c d) and the font
   size. Characters pdfium gives no box, origin or matrix for are left out. `out` holds `room`
   characters; returns how many were written, or -1 when the page has more than `room`. */
int xxgk_read_chars(void *page, const TextFunctions *f, double *out, int room) {
    int n = f->count_chars(page), written = 0;
    if (n > room) return -1;
    Rect box;
    Matrix m;
    double x, y;
    for (int i = 0; i < n; i++) {
        unsigned int code = f->unicode(page, i);
        if (f->unicode_map_error(page, i) || (code >= 0xD800 && code < 0xE000) || code >= 0x110000) code = 0xFFFD;
        if (!f->loose_box(page, i, &box) || !f->origin(page, i, &x, &y) || !f->matrix(page, i, &m)) continue;
        double *o = out + (long)written * CHAR_FIELDS;
        o[0] = code;
        o[1] = f->generated(page, i) != 0; /* -1, an error, counts as generated */
        o[2] = box.left, o[3] = box.top, o[4] = box.right, o[5] = box.bottom;
        o[6] = x, o[7] = y;
        o[8] = m.a, o[9] = m.b, o[10] = m.c, o[11] = m.d;
        o[12] = f->font_size(page, i);
        written++;
    }
    return written;
}

/* Per segment, SEGMENT_FIELDS doubles: its kind (FPDF_SEGMENT_*), whether it closes its subpath,
   and its end point (x y) in the path's own space, NaN where pdfium gives none. `out` holds
   `room` segments; returns how many the path has, and writes none when that is more than `room`. */
int xxgk_read_segments(void *path, const PathFunctions *f, double *out, int room) {
    int n = f->count_segments(path);
    if (n > room) return n;
    float x, y;
    for (int k = 0; k < n; k++) {
        void *segment = f->segment(path, k);
        double *o = out + (long)k * SEGMENT_FIELDS;
        o[0] = f->kind(segment);
        o[1] = f->closes(segment) != 0;
        if (f->point(segment, &x, &y)) o[2] = x, o[3] = y;
        else o[2] = o[3] = __builtin_nan("");
    }
    return n < 0 ? 0 : n;
}
