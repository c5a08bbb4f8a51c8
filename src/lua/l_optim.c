/*
 * l_optim.c: the C side of lua/llm/optim/ (optimizer updates in one call per
 * parameter, the gradients' global norm and scaling for clipping) and the
 * engine's interrupt flag for the training loop (progress itself goes through
 * llm.progress, lua/llm/progress.lua).
 *
 *   llm.sgd_step_(p, buf|nil, {lr=, momentum=, dampening=, weight_decay=, nesterov=, first=})
 *   llm.adam_step_(p, m, v, {lr=, beta1=, beta2=, eps=, weight_decay=, decoupled=, step=})
 *       update p in place from p.grad (a parameter without a grad is left alone)
 *   llm.grad_sum_squares(params) -> sum over the grads of all values squared
 *   llm.grad_scale_(params, s)     multiply every grad by s
 *   llm.interrupted() -> bool   (Ctrl-C in the CLI, cancel in the UI)
 *
 * Tensors are read through the tensor bindings' userdata ("llm.Tensor", a
 * box holding a tensor pointer), using only the public tensor.h API.
 */
#include <math.h>
#include "lua_llm.h"
#include "optim.h"
#include "tensor.h"

#define TENSOR_MT "llm.Tensor"

static tensor *opt_tensor(lua_State *L, int idx, const char *op, const char *what)
{
    tensor **b = luaL_testudata(L, idx, TENSOR_MT);
    if (!b || !*b) luaL_error(L, "%s: %s must be a tensor", op, what);
    return *b;
}

/* A contiguous float32 tensor's values, or an error naming the op. */
static float *f32_of(lua_State *L, tensor *t, const char *op, const char *what)
{
    if (t->dtype != TENSOR_F32 || !tensor_is_contiguous(t))
        luaL_error(L, "%s: %s must be a contiguous float32 tensor", op, what);
    return tensor_f32(t);
}

static void same_size(lua_State *L, const tensor *a, const tensor *b, const char *op, const char *what)
{
    if (tensor_numel(a) != tensor_numel(b)) {
        char sa[96], sb[96];
        luaL_error(L, "%s: %s has shape %s but the parameter %s", op, what, tensor_shape_str(b, sb, sizeof sb),
                   tensor_shape_str(a, sa, sizeof sa));
    }
}

static double opt_num(lua_State *L, int t, const char *key, double dflt)
{
    lua_getfield(L, t, key);
    double v = luaL_optnumber(L, -1, dflt);
    lua_pop(L, 1);
    return v;
}

static int opt_bool(lua_State *L, int t, const char *key)
{
    lua_getfield(L, t, key);
    int v = lua_toboolean(L, -1);
    lua_pop(L, 1);
    return v;
}

static int l_sgd_step(lua_State *L)
{
    const char *op = "sgd_step_";
    tensor *p = opt_tensor(L, 1, op, "the parameter");
    luaL_checktype(L, 3, LUA_TTABLE);
    if (!p->grad) return 0;
    float *pd = f32_of(L, p, op, "the parameter");
    same_size(L, p, p->grad, op, "its grad");
    const float *g = f32_of(L, p->grad, op, "the grad");
    float *buf = NULL;
    tensor *bt = NULL;
    if (!lua_isnoneornil(L, 2)) {
        bt = opt_tensor(L, 2, op, "the momentum buffer");
        same_size(L, p, bt, op, "the momentum buffer");
        buf = f32_of(L, bt, op, "the momentum buffer");
    }
    double lr = opt_num(L, 3, "lr", 0.01), momentum = opt_num(L, 3, "momentum", 0);
    double dampening = opt_num(L, 3, "dampening", 0), wd = opt_num(L, 3, "weight_decay", 0);
    optim_sgd_step(pd, g, buf, tensor_numel(p), (float)lr, (float)momentum, (float)dampening, (float)wd,
                   opt_bool(L, 3, "nesterov"), opt_bool(L, 3, "first"));
    tensor_bump_version(p);
    if (bt) tensor_bump_version(bt);
    return 0;
}

static int l_adam_step(lua_State *L)
{
    const char *op = "adam_step_";
    tensor *p = opt_tensor(L, 1, op, "the parameter");
    tensor *m = opt_tensor(L, 2, op, "the first moment");
    tensor *v = opt_tensor(L, 3, op, "the second moment");
    luaL_checktype(L, 4, LUA_TTABLE);
    if (!p->grad) return 0;
    float *pd = f32_of(L, p, op, "the parameter");
    same_size(L, p, p->grad, op, "its grad");
    same_size(L, p, m, op, "the first moment");
    same_size(L, p, v, op, "the second moment");
    const float *g = f32_of(L, p->grad, op, "the grad");
    float *md = f32_of(L, m, op, "the first moment"), *vd = f32_of(L, v, op, "the second moment");
    double lr = opt_num(L, 4, "lr", 1e-3), b1 = opt_num(L, 4, "beta1", 0.9), b2 = opt_num(L, 4, "beta2", 0.999);
    double eps = opt_num(L, 4, "eps", 1e-8), wd = opt_num(L, 4, "weight_decay", 0);
    lua_Integer step = (lua_Integer)opt_num(L, 4, "step", 1);
    if (step < 1) return luaL_error(L, "%s: step must be >= 1", op);
    optim_adam_step(pd, g, md, vd, tensor_numel(p), (float)lr, (float)b1, (float)b2, (float)eps, (float)wd,
                    opt_bool(L, 4, "decoupled"), (int64_t)step);
    tensor_bump_version(p);
    tensor_bump_version(m);
    tensor_bump_version(v);
    return 0;
}

static int l_grad_sum_squares(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_Integer n = luaL_len(L, 1);
    double s = 0;
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, 1, i);
        tensor *p = opt_tensor(L, -1, "grad_sum_squares", "every item");
        if (p->grad) {
            tensor *g = p->grad;
            if (g->dtype == TENSOR_F32 && tensor_is_contiguous(g)) {
                s += optim_sum_squares(tensor_f32(g), tensor_numel(g));
            } else {
                int64_t k = tensor_numel(g);
                for (int64_t j = 0; j < k; j++) {
                    double x = tensor_get_flat(g, j);
                    s += x * x;
                }
            }
        }
        lua_pop(L, 1);
    }
    lua_pushnumber(L, s);
    return 1;
}

static int l_grad_scale(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    double s = luaL_checknumber(L, 2);
    lua_Integer n = luaL_len(L, 1);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, 1, i);
        tensor *p = opt_tensor(L, -1, "grad_scale_", "every item");
        if (p->grad) {
            optim_scale(f32_of(L, p->grad, "grad_scale_", "a grad"), tensor_numel(p->grad), (float)s);
            tensor_bump_version(p->grad);
        }
        lua_pop(L, 1);
    }
    return 0;
}

static int l_interrupted(lua_State *L)
{
    lua_pushboolean(L, llm_interrupted());
    return 1;
}

static const luaL_Reg optim_funcs[] = {
    {"sgd_step_", l_sgd_step},
    {"adam_step_", l_adam_step},
    {"grad_sum_squares", l_grad_sum_squares},
    {"grad_scale_", l_grad_scale},
    {"interrupted", l_interrupted},
    {NULL, NULL},
};

void l_optim_register(lua_State *L)
{
    luaL_setfuncs(L, optim_funcs, 0);
}
