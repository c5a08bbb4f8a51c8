/*
 * autograd.c: the tape. Ops call autograd_record() to make a node for
 * their output when an input requires grad; tensor_backward() sorts the
 * nodes behind a tensor, runs each node's backward rule (backward.c) in
 * reverse order, and accumulates the gradients of leaves into ->grad.
 *
 * Three mistakes get clear errors instead of wrong numbers: backward from a
 * non-scalar without a gradient, a second backward through a graph that the
 * first one freed, and a tensor saved for backward that was changed in
 * place afterwards (each storage carries a version counter).
 */
#include <stdio.h>
#include <stdlib.h>
#include "internal.h"
#include "nn/vmath.h"

static int grad_enabled = 1;

void tensor_set_grad_enabled(int on) { grad_enabled = on != 0; }
int tensor_grad_enabled(void) { return grad_enabled; }

llm_status tensor_set_requires_grad(tensor *t, int on)
{
    if (on && t->dtype != TENSOR_F32)
        return llm_fail(LLM_ERR_ARG, "requires_grad: only float32 tensors can require grad (this one is %s)",
                        tensor_dtype_name(t->dtype));
    if (!on && t->node)
        return llm_fail(LLM_ERR_STATE,
                        "requires_grad: this tensor was made by %s on the tape; use :detach() instead",
                        tensor_op_names[t->node->op]);
    t->requires_grad = on != 0;
    return LLM_OK;
}

const char *tensor_grad_fn_name(const tensor *t) { return t->node ? tensor_op_names[t->node->op] : NULL; }

void tensor_zero_grad(tensor *t)
{
    tensor_free(t->grad);
    t->grad = NULL;
}

int autograd_needed(int n, const tensor *const *inputs)
{
    if (!grad_enabled) return 0;
    for (int i = 0; i < n; i++)
        if (inputs[i] && inputs[i]->requires_grad) return 1;
    return 0;
}

static void node_free_saved(tensor_node *n)
{
    for (int i = 0; i < n->n_saved; i++) {
        tensor_free(n->saved[i]);
        n->saved[i] = NULL;
    }
    n->n_saved = 0;
}

void node_release(tensor_node *n)
{
    /* Iterative over chains of single-owner nodes so that a long tape does
     * not recurse once per op. */
    while (n && --n->refcount == 0) {
        tensor_node *next = NULL;
        node_free_saved(n);
        tensor_free(n->grad);
        for (int i = 0; i < n->n_in; i++) {
            tensor_free(n->in[i].leaf);
            if (n->in[i].node) {
                if (!next) next = n->in[i].node;
                else node_release(n->in[i].node);
            }
        }
        free(n->in);
        free(n);
        n = next;
    }
}

tensor_node *autograd_record(tensor *out, tensor_op op, int n, const tensor *const *inputs)
{
    tensor_node *node = llm_calloc(1, sizeof *node);
    if (!node) return NULL;
    node->in = llm_calloc((size_t)(n ? n : 1), sizeof *node->in);
    if (!node->in) { free(node); return NULL; }
    node->refcount = 1;
    node->op = op;
    node->n_in = n;
    for (int i = 0; i < n; i++) {
        const tensor *x = inputs[i];
        if (!x) continue;
        node->in[i].ndim = x->ndim;
        memcpy(node->in[i].shape, x->shape, sizeof x->shape);
        if (!x->requires_grad) continue;
        if (x->node) {
            node->in[i].node = x->node;
            x->node->refcount++;
        } else {
            node->in[i].leaf = tensor_ref((tensor *)x);
        }
    }
    node->out_ndim = out->ndim;
    memcpy(node->out_shape, out->shape, sizeof out->shape);
    out->node = node;
    out->requires_grad = 1;
    return node;
}

void autograd_save(tensor_node *node, const tensor *t)
{
    if (node->n_saved >= NODE_MAX_SAVED) return;
    tensor *a = tensor_alias(t);
    node->saved_version[node->n_saved] = t->storage->version;
    node->saved[node->n_saved++] = a; /* NULL on OOM: the rule reports it */
}

/* ---- backward ---- */

typedef struct { tensor_node **v; size_t n, cap; } node_list;

static int list_push(node_list *l, tensor_node *n)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        tensor_node **v = llm_realloc(l->v, cap * sizeof *v);
        if (!v) return -1;
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = n;
    return 0;
}

/* Post-order DFS without recursion: order ends up with every node after all
 * the nodes it feeds into reversed (i.e. inputs first). */
static llm_status topo_sort(tensor_node *root, node_list *order)
{
    node_list stack = {0};
    llm_status st = LLM_OK;
    if (list_push(&stack, root)) return LLM_ERR_NOMEM;
    root->mark = 1;
    /* mark: 0 unseen, 1 on stack (children pending), 2 done */
    while (stack.n) {
        tensor_node *n = stack.v[stack.n - 1];
        int pushed = 0;
        for (int i = 0; i < n->n_in; i++) {
            tensor_node *c = n->in[i].node;
            if (c && c->mark == 0) {
                c->mark = 1;
                if (list_push(&stack, c)) { st = LLM_ERR_NOMEM; goto out; }
                pushed = 1;
                break;
            }
        }
        if (!pushed) {
            n->mark = 2;
            stack.n--;
            if (list_push(order, n)) { st = LLM_ERR_NOMEM; goto out; }
        }
    }
out:
    free(stack.v);
    return st;
}

/* p += q over n floats, vectorised, in parallel when large */
static void add_into(float *p, const float *q, int64_t n)
{
    int64_t chunks = (n + 16383) / 16384;
#pragma omp parallel for if (n > TENSOR_OMP_MIN)
    for (int64_t c = 0; c < chunks; c++) {
        int64_t a = c * 16384, len = n - a < 16384 ? n - a : 16384;
        vm_axpy(p + a, q + a, len, 1.0f);
    }
}

/* acc += g, taking g over when acc is empty; in place only when no one else
 * can see acc. */
static llm_status accumulate(tensor **acc, tensor *g)
{
    if (!*acc) {
        *acc = tensor_ref(g);
        return LLM_OK;
    }
    tensor *a = *acc;
    if (tensor_exclusive(a)) {
        float *p = tensor_f32(a);
        tensor *gc = tensor_contiguous(g);
        if (!gc) return LLM_ERR_NOMEM;
        if (tensor_same_shape(a, gc)) {
            add_into(p, tensor_f32(gc), tensor_numel(a));
            tensor_free(gc);
            return LLM_OK;
        }
        tensor_free(gc);
    }
    tensor *s = tensor_add(a, g);
    if (!s) return LLM_ERR_NOMEM;
    tensor_free(a);
    *acc = s;
    return LLM_OK;
}

static llm_status accumulate_leaf(tensor *leaf, tensor *g)
{
    if (!tensor_same_shape(leaf, g)) {
        char b1[96], b2[96];
        return llm_fail(LLM_ERR_SHAPE, "backward: gradient of shape %s for a leaf of shape %s",
                        tensor_shape_str(g, b1, sizeof b1), tensor_shape_str(leaf, b2, sizeof b2));
    }
    if (!leaf->grad) {
        /* The leaf's .grad is visible to the user: give it its own storage. */
        if (g->refcount == 1 && g->storage->refcount == 1 && tensor_is_contiguous(g) && !g->node) {
            leaf->grad = tensor_ref(g);
        } else {
            leaf->grad = tensor_clone(g);
            if (!leaf->grad) return LLM_ERR_NOMEM;
        }
        return LLM_OK;
    }
    tensor *gc = tensor_contiguous(g);
    if (!gc) return LLM_ERR_NOMEM;
    tensor *a = leaf->grad;
    if (tensor_is_contiguous(a)) {
        add_into(tensor_f32(a), tensor_f32(gc), tensor_numel(a));
        a->storage->version++;
    } else {
        tensor *s = tensor_add(a, gc);
        if (!s) { tensor_free(gc); return LLM_ERR_NOMEM; }
        tensor_free(a);
        leaf->grad = s;
    }
    tensor_free(gc);
    return LLM_OK;
}

llm_status tensor_backward(tensor *t, const tensor *grad, int retain_graph)
{
    char b1[96], b2[96];
    if (!t->requires_grad)
        return llm_fail(LLM_ERR_STATE,
                        "backward: this tensor does not require grad (no input had requires_grad, "
                        "or it was made under llm.no_grad)");
    if (!grad && tensor_numel(t) != 1)
        return llm_fail(LLM_ERR_SHAPE,
                        "backward: tensor of shape %s is not a scalar; pass a gradient of the same shape",
                        tensor_shape_str(t, b1, sizeof b1));
    if (grad && !tensor_same_shape(grad, t))
        return llm_fail(LLM_ERR_SHAPE, "backward: gradient of shape %s for a tensor of shape %s",
                        tensor_shape_str(grad, b1, sizeof b1), tensor_shape_str(t, b2, sizeof b2));
    if (grad && grad->dtype != TENSOR_F32)
        return llm_fail(LLM_ERR_ARG, "backward: the gradient must be float32");

    GRAD_OFF_BEGIN;
    llm_status st = LLM_OK;
    tensor *g0 = grad ? tensor_contiguous(grad) : tensor_full(t->ndim, t->shape, 1.0, TENSOR_F32);
    if (!g0) { GRAD_OFF_END; return LLM_ERR_NOMEM; }

    if (!t->node) { /* a leaf */
        st = accumulate_leaf(t, g0);
        tensor_free(g0);
        GRAD_OFF_END;
        return st;
    }

    node_list order = {0};
    st = topo_sort(t->node, &order);
    for (size_t i = 0; i < order.n; i++) order.v[i]->mark = 0;
    if (st != LLM_OK) goto done;

    /* Check the whole graph before touching any gradient. */
    for (size_t i = 0; i < order.n; i++) {
        tensor_node *n = order.v[i];
        if (n->freed) {
            st = llm_fail(LLM_ERR_STATE,
                          "backward: the graph through %s was already freed by an earlier backward(); "
                          "pass retain_graph=true to the first backward to run it twice",
                          tensor_op_names[n->op]);
            goto done;
        }
        for (int k = 0; k < n->n_saved; k++) {
            if (n->saved[k] && n->saved[k]->storage->version != n->saved_version[k]) {
                st = llm_fail(LLM_ERR_STATE,
                              "backward: a tensor of shape %s saved by %s was modified in place "
                              "(version %u, saved at version %u); use a copy (:clone()) before changing it",
                              tensor_shape_str(n->saved[k], b1, sizeof b1), tensor_op_names[n->op],
                              (unsigned)n->saved[k]->storage->version, (unsigned)n->saved_version[k]);
                goto done;
            }
        }
    }

    t->node->grad = g0;
    g0 = NULL;
    tensor *grads_small[8];
    for (size_t i = order.n; i-- > 0;) {
        tensor_node *n = order.v[i];
        tensor *g = n->grad;
        n->grad = NULL;
        if (g && (n->op == OP_SELECT || n->op == OP_SLICE) && n->in[0].node) {
            /* into the input's gradient buffer directly (backward.c) */
            st = backward_view_into(n, g, &n->in[0].node->grad);
            tensor_free(g);
            if (st != LLM_OK) goto done;
        } else if (g) {
            tensor **grads = n->n_in <= 8 ? grads_small : llm_calloc((size_t)n->n_in, sizeof *grads);
            if (!grads) { tensor_free(g); st = LLM_ERR_NOMEM; goto done; }
            for (int k = 0; k < n->n_in; k++) grads[k] = NULL;
            /* a norm whose input already has an exclusive gradient buffer adds dx into it */
            tensor *acc0 = (n->op == OP_LAYER_NORM || n->op == OP_RMS_NORM) && n->in[0].node ? n->in[0].node->grad : NULL;
            if (acc0 && !(tensor_exclusive(acc0) && acc0->ndim == n->in[0].ndim &&
                          !memcmp(acc0->shape, n->in[0].shape, sizeof(int64_t) * (size_t)acc0->ndim)))
                acc0 = NULL;
            st = acc0 ? backward_norm_into(n, g, acc0, grads) : backward_rule(n, g, grads);
            tensor_free(g);
            for (int k = 0; k < n->n_in && st == LLM_OK; k++) {
                if (!grads[k]) continue;
                if (n->in[k].node) st = accumulate(&n->in[k].node->grad, grads[k]);
                else if (n->in[k].leaf) st = accumulate_leaf(n->in[k].leaf, grads[k]);
            }
            for (int k = 0; k < n->n_in; k++) tensor_free(grads[k]);
            if (grads != grads_small) free(grads);
            if (st != LLM_OK) goto done;
        }
        if (!retain_graph) {
            node_free_saved(n);
            n->freed = 1;
        }
    }
done:
    for (size_t i = 0; i < order.n; i++) {
        tensor_free(order.v[i]->grad);
        order.v[i]->grad = NULL;
    }
    free(order.v);
    tensor_free(g0);
    GRAD_OFF_END;
    return st;
}
