using Microsoft.AspNetCore.Http.HttpResults;
using Storekeep.Experiments;
using Storekeep.Shared;

namespace Storekeep.Web.Experiments;

/// <summary>Experiments. Reads need <c>experiments.read</c>; creating, starting and stopping <c>experiments.write</c>.</summary>
public static class ExperimentEndpoints
{
    public static RouteGroupBuilder MapExperimentEndpoints(this RouteGroupBuilder api)
    {
        var experiments = api.MapGroup("/experiments").WithTags("Experiments");
        experiments.MapPost("", Create)
            .WithName("CreateExperiment")
            .WithSummary("Create a draft experiment: name, kind campaign|storefront|offer, variants [{key, weight}] (one named control), metric conversion|revenue_per_visitor, campaignId (campaign), discountId (offer: an automatic discount; variants control and treatment), content per variant {headline, banner} (storefront).")
            .RequireAuthorization(ExperimentPermissions.Write)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403);
        experiments.MapGet("", List)
            .WithName("ListExperiments")
            .WithSummary("Experiments, newest first.")
            .RequireAuthorization(ExperimentPermissions.Read)
            .ProducesProblem(401).ProducesProblem(403);
        experiments.MapGet("/{id:guid}", Get)
            .WithName("GetExperiment")
            .WithSummary("One experiment with its variants.")
            .RequireAuthorization(ExperimentPermissions.Read)
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        experiments.MapPost("/{id:guid}/start", Start)
            .WithName("StartExperiment")
            .WithSummary("Start a draft: visitors are assigned and exposed from now on.")
            .WithDescription("An experiment that is not a draft → 409 experiment_not_draft.")
            .RequireAuthorization(ExperimentPermissions.Write)
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        experiments.MapPost("/{id:guid}/stop", Stop)
            .WithName("StopExperiment")
            .WithSummary("Stop a running experiment: no more exposures; orders placed afterwards do not count.")
            .WithDescription("An experiment that is not running → 409 experiment_not_running.")
            .RequireAuthorization(ExperimentPermissions.Write)
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        experiments.MapGet("/{id:guid}/results", Results)
            .WithName("GetExperimentResults")
            .WithSummary("Per variant: visitors, conversions, conversionRate, revenue, revenuePerVisitor, and against control uplift, confidenceInterval95 (absolute difference), pValue and chanceToBeatControl; sampleRatioMismatch {pValue, flagged} (chi-squared, flagged when p < 0.001). docs/marketing.md defines every figure.")
            .RequireAuthorization(ExperimentPermissions.Read)
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        return api;
    }

    private static async Task<Created<ExperimentView>> Create(CreateExperimentRequest request, ExperimentService experiments, CancellationToken ct)
    {
        var created = await experiments.CreateAsync(request, ct);
        return TypedResults.Created($"/api/v1/experiments/{created.Id}", created);
    }

    private static async Task<Ok<Page<ExperimentView>>> List(ExperimentService experiments, CancellationToken ct) =>
        TypedResults.Ok(await experiments.ListAsync(ct));

    private static async Task<Ok<ExperimentView>> Get(Guid id, ExperimentService experiments, CancellationToken ct) =>
        TypedResults.Ok(await experiments.GetAsync(id, ct));

    private static async Task<Ok<ExperimentView>> Start(Guid id, ExperimentService experiments, CancellationToken ct) =>
        TypedResults.Ok(await experiments.StartAsync(id, ct));

    private static async Task<Ok<ExperimentView>> Stop(Guid id, ExperimentService experiments, CancellationToken ct) =>
        TypedResults.Ok(await experiments.StopAsync(id, ct));

    private static async Task<Ok<ExperimentResultsView>> Results(Guid id, ExperimentService experiments, CancellationToken ct) =>
        TypedResults.Ok(await experiments.ResultsAsync(id, ct));
}
