using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Mvc;

namespace Storekeep.Web.Api;

/// <summary>
/// Answers a form post whose antiforgery token failed validation with a 400 problem before any
/// endpoint reads the form. The compile-time request delegates (the Request Delegate Generator)
/// touch the form before checking the antiforgery result, and the form then throws, which would
/// be a 500; the runtime-built delegates answered 400, and so does this.
/// </summary>
public sealed class AntiforgeryFailureMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context, IProblemDetailsService problems)
    {
        if (context.Features.Get<IAntiforgeryValidationFeature>() is not { IsValid: false })
        {
            return next(context);
        }

        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        var problem = new ProblemDetails
        {
            Status = StatusCodes.Status400BadRequest,
            Title = Problems.Title(StatusCodes.Status400BadRequest),
            Detail = "The form has expired; reload the page and try again.",
        };
        problem.Extensions["code"] = "antiforgery_failed";
        return problems.WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem }).AsTask();
    }
}
