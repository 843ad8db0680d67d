/* The verifier pane's state, shared by its three files: the log (verifier.c), the
 * side-by-side comparison with another run's log (verifier_side.c) and register provenance
 * (verifier_regs.c). */
#ifndef KTSTR_VIEWS_VERIFIER_PRIV_H
#define KTSTR_VIEWS_VERIFIER_PRIV_H

#include "engine/verifier_align.h"
#include "engine/verifier_prov.h"
#include "views/model.h"
#include "views/view.h"

/* The other log, aligned with this run's displayed one (collapsed or every iteration). */
struct vside {
	bool on;
	char dir[1024], id[128], kernel[128];
	char **raw, **col;
	size_t nraw, ncol;
	struct verifier_summary sum;
	struct valign_row *rows;
	size_t nrows;
	bool al_expanded;          /* the alignment is of this mode ... */
	uint64_t al_total;         /* ... and this run's log as of this total */
	bool al_valid;
	struct listpos pos;        /* over rows */
};

enum vmode { VM_LOG, VM_PICK, VM_REGS };

struct vpriv {
	struct verm m;
	struct listpos pos;
	int xoff;
	bool jumped;               /* went to the rejection once already (first draw) */
	enum vmode mode;           /* a list open over the log */
	struct vcand *cand;        /* VM_PICK: logs to compare with */
	int ncand;
	struct listpos cpos;
	char prog[128];            /* this run's failed program, "" unknown */
	struct vside side;
	int regs[11], nregs;       /* VM_REGS: the registers offered, the error's first */
	char reg_type[11][96];
	int err_reg;
	struct listpos rpos;
	bool prov_on;              /* the provenance panel is open */
	struct vprov prov;
	int psel;                  /* the chain step selected */
	char msg[512];             /* what the last key could not do */
};

/* verifier_side.c */
void vside_free(struct vside *s);
void vside_sync(struct vpriv *p);                     /* realign when this log or mode changed */
enum view_rc vside_key(struct view *v, struct vpriv *p, struct run *r, enum req q);
void vside_draw_pick(struct vpriv *p, struct dwin *w, int top, int h);
void vside_draw(struct view *v, struct vpriv *p, struct dwin *w, struct run *r, int h);
long vside_row_of_left(const struct vpriv *p, long line);
/* verifier_regs.c */
enum view_rc vregs_key(struct vpriv *p, enum req q);
void vregs_draw(struct vpriv *p, struct dwin *w, int top, int h);
int vregs_height(const struct vpriv *p);
/* verifier.c: put the log cursor on line (centred), in either layout. */
void vpane_goto(struct vpriv *p, long line);

#endif
