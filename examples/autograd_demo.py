"""A tour of autograd, written against PyTorch's API.

    python examples/autograd_demo.py

Only `import numtorch as torch` ties this script to numtorch: with `import torch` instead it
prints the same output under PyTorch.
"""

import numtorch as torch


def section(title):
    print()
    print(f"== {title}")


# -- 1. scalar backward -------------------------------------------------------------------
section("1. scalar backward: y = a*x**2 + b*x + c")
x = torch.tensor(2.0, requires_grad=True)
a, b, c = torch.tensor(3.0), torch.tensor(-4.0), torch.tensor(5.0)
y = a * x**2 + b * x + c
y.backward()  # a scalar output needs no gradient argument: dy/dy = 1
print("y          =", y)
print("dy/dx      =", x.grad, " (2*a*x + b = 2*3*2 - 4 = 8)")
print("x.is_leaf  =", x.is_leaf, " y.is_leaf =", y.is_leaf)

# -- 2. non-scalar backward: a vector-Jacobian product ------------------------------------
section("2. non-scalar backward computes v^T J, the vector-Jacobian product")
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x**2  # J = diag(2*x)
v = torch.tensor([1.0, 0.1, 0.01])
y.backward(gradient=v)
print("x.grad     =", x.grad, " (v * 2*x)")
try:
    (x**2).backward()  # which combination of the outputs? autograd refuses to guess
except RuntimeError as error:
    print("without gradient=v:", error)

# -- 3. gradients accumulate until zeroed -------------------------------------------------
section("3. gradients accumulate into .grad")
w = torch.tensor([1.0, -1.0], requires_grad=True)
for step in range(3):
    (w * torch.tensor([2.0, 3.0])).sum().backward()
    print(f"after backward #{step + 1}: w.grad =", w.grad)
w.grad.zero_()  # what optimizer.zero_grad() does (set_to_none=False)
print("after w.grad.zero_():  w.grad =", w.grad)
w.grad = None  # what optimizer.zero_grad() does by default
print("after w.grad = None:   w.grad =", w.grad)

# -- 4. retain_graph ----------------------------------------------------------------------
section("4. retain_graph keeps saved values for a second backward")
x = torch.tensor([0.0, 1.0], requires_grad=True)
y = x.exp().sum()  # exp saves its result for backward
y.backward(retain_graph=True)
y.backward()  # allowed: the first call kept the graph
print("x.grad after two backward calls =", x.grad, " (2 * exp(x))")
try:
    y.backward()  # the second call freed the saved values
except RuntimeError as error:
    print("a third call fails:", str(error).split(" (")[0])

# -- 5. create_graph: higher derivatives --------------------------------------------------
section("5. create_graph=True makes the gradient differentiable again")
x = torch.tensor(3.0, requires_grad=True)
y = x**3
(dy_dx,) = torch.autograd.grad(y, x, create_graph=True)
(d2y_dx2,) = torch.autograd.grad(dy_dx, x)
print("dy/dx      =", dy_dx.item(), " (3*x**2) requires_grad:", dy_dx.requires_grad)
print("d2y/dx2    =", d2y_dx2.item(), " (6*x)   requires_grad:", d2y_dx2.requires_grad)

# -- 6. no_grad and detach ----------------------------------------------------------------
section("6. no_grad and detach stop recording")
x = torch.tensor([1.0, 2.0], requires_grad=True)
with torch.no_grad():
    z = x * 2
print("inside no_grad: z.requires_grad =", z.requires_grad, " z.grad_fn =", z.grad_fn)
d = x.detach()
print("x.detach():     d.requires_grad =", d.requires_grad)
d[0] = 10.0  # a detached tensor shares its storage with the original
print("after d[0] = 10: x =", x)
print("torch.is_grad_enabled() =", torch.is_grad_enabled())


# -- 7. a custom autograd.Function --------------------------------------------------------
section("7. a custom autograd.Function: P3(x) = (5x^3 - 3x) / 2")


class LegendreP3(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return 0.5 * (5 * x**3 - 3 * x)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * 1.5 * (5 * x**2 - 1)


x = torch.tensor([-1.0, 0.0, 0.5, 1.0], requires_grad=True)
y = LegendreP3.apply(x)
y.sum().backward()
print("P3(x)      =", y.detach())
print("dP3/dx     =", x.grad, " (1.5 * (5x^2 - 1))")
print("y.grad_fn  is a", type(y.grad_fn).__name__)
x64 = torch.tensor([-0.7, 0.2, 0.9], dtype=torch.float64, requires_grad=True)
print("gradcheck  =", torch.autograd.gradcheck(LegendreP3.apply, (x64,)))

# -- 8. the graph itself ------------------------------------------------------------------
section("8. the recorded graph: grad_fn and next_functions")
w = torch.tensor([0.5, -0.5], requires_grad=True)
b = torch.tensor([0.1, 0.2], requires_grad=True)
inputs = torch.tensor([1.0, 2.0])  # a constant: no edge leads to it
loss = (w * inputs + b).sin().sum()
names = {id(w): "w", id(b): "b"}


def show(fn, depth=0):
    # Walks from the output back to the leaves; next_functions holds (node, output_nr) pairs.
    if fn is None:
        print("  " * depth + "None (an input that does not require grad)")
        return
    label = type(fn).__name__
    if hasattr(fn, "variable"):  # AccumulateGrad: the node that writes a leaf's .grad
        label += f" -> {names[id(fn.variable)]}.grad"
    print("  " * depth + label)
    for next_fn, _ in fn.next_functions:
        show(next_fn, depth + 1)


show(loss.grad_fn)
loss.backward()
print("w.grad     =", w.grad)
print("b.grad     =", b.grad)
