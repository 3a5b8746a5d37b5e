using Storekeep.Experiments;
using Storekeep.Web.Attribution;

namespace Storekeep.Web.Experiments;

/// <summary>A storefront experiment's home page text for this visitor's variant.</summary>
public sealed record HomeExperimentContent(Guid ExperimentId, string VariantKey, string? Headline, string? Banner)
{
    private const string ItemKey = "storekeep.experiment.home";

    public static HomeExperimentContent? Of(HttpContext http) => http.Items[ItemKey] as HomeExperimentContent;

    internal void Keep(HttpContext http) => http.Items[ItemKey] = this;

    /// <summary>The output cache keeps one home page per experiment variant (and one without).</summary>
    public static string CacheKey(HttpContext http) => Of(http) is { } c ? $"{c.ExperimentId:N}:{c.VariantKey}" : "";
}

/// <summary>
/// Tells the request's services who the storefront visitor is (offer experiments price carts by it)
/// and, on the home page, assigns the visitor to the running storefront experiment (the oldest, if
/// several run), records the exposure and keeps the variant's text for the page, before the output
/// cache answers. A failure is logged and the page is served without the experiment.
/// </summary>
public sealed class ExperimentVisitorMiddleware(RequestDelegate next, ILogger<ExperimentVisitorMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context, ExperimentVisitor visitor, ExperimentExposures exposures)
    {
        visitor.VisitorId = VisitorCookie.Read(context);
        if (visitor.VisitorId is { } id && HttpMethods.IsGet(context.Request.Method) && context.Request.Path == "/")
        {
            try
            {
                if ((await exposures.RunningAsync(ExperimentKind.Storefront, context.RequestAborted)).FirstOrDefault() is { } experiment)
                {
                    var variant = await exposures.ExposeAsync(experiment, id, context.RequestAborted);
                    new HomeExperimentContent(experiment.Id, variant.Key, variant.Headline, variant.Banner).Keep(context);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Could not assign the visitor to the storefront experiment.");
            }
        }

        await next(context);
    }
}
