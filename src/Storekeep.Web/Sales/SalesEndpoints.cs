using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Storekeep.Sales;
using Storekeep.Shared;
using Storekeep.Web.Api;

namespace Storekeep.Web.Sales;

/// <summary>
/// The sales team and pipeline. Reads need <c>sales.read</c>; deals and activities <c>sales.write</c>;
/// teams, reps, territories and stage probabilities <c>sales.manage</c>. Defined in docs/sales.md.
/// </summary>
public static class SalesEndpoints
{
    public static RouteGroupBuilder MapSalesEndpoints(this RouteGroupBuilder api)
    {
        var sales = api.MapGroup("/sales").WithTags("Sales");
        sales.MapPost("/teams", CreateTeam)
            .WithName("CreateSalesTeam")
            .WithSummary("Create a sales team; managerId is a back-office user with the sales, manager or owner role.")
            .WithDescription("Another user → 422 unknown_manager.")
            .RequireAuthorization(SalesPermissions.Manage)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(422);
        sales.MapGet("/teams", ListTeams)
            .WithName("ListSalesTeams")
            .WithSummary("Sales teams by name.")
            .RequireAuthorization(SalesPermissions.Read)
            .ProducesProblem(401).ProducesProblem(403);
        sales.MapPost("/reps", CreateRep)
            .WithName("CreateSalesRep")
            .WithSummary("Make a back-office user (userId or email) a sales rep in a team, optionally in a territory's rotation.")
            .WithDescription("The user must hold the sales, manager or owner role (422 rep_user_not_sales); unknown user 422 unknown_user, team 422 unknown_team, territory 422 unknown_territory; a rep already → 409 rep_exists.")
            .RequireAuthorization(SalesPermissions.Manage)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(409).ProducesProblem(422);
        sales.MapGet("/reps", ListReps)
            .WithName("ListSalesReps")
            .WithSummary("Sales reps by name; filter by teamId.")
            .RequireAuthorization(SalesPermissions.Read)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403);
        sales.MapPost("/territories", CreateTerritory)
            .WithName("CreateSalesTerritory")
            .WithSummary("Create a territory: countries, regions, industries (empty matches anything), assignment round_robin or owner, and its reps in rotation order.")
            .WithDescription("Unknown rep → 422 unknown_rep. The first matching territory (oldest first) assigns new companies and deals without an owner.")
            .RequireAuthorization(SalesPermissions.Manage)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(422);
        sales.MapGet("/territories", ListTerritories)
            .WithName("ListSalesTerritories")
            .WithSummary("Territories in matching order (oldest first) with their reps.")
            .RequireAuthorization(SalesPermissions.Read)
            .ProducesProblem(401).ProducesProblem(403);

        sales.MapPost("/deals", CreateDeal)
            .WithName("CreateDeal")
            .WithSummary("Open a deal in prospecting: title, companyId, contactEmail, amount (store currency), expectedCloseDate, ownerRepId, source.")
            .WithDescription("Without ownerRepId the company's territory assigns an owner. Unknown company → 422 unknown_company; unknown rep → 422 unknown_rep.")
            .RequireAuthorization(SalesPermissions.Write)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(422);
        sales.MapGet("/deals", ListDeals)
            .WithName("ListDeals")
            .WithSummary("Deals, newest first; filter by repId, teamId (the owner's team) and stage.")
            .RequireAuthorization(SalesPermissions.Read)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403);
        sales.MapGet("/deals/{id}", GetDeal)
            .WithName("GetDeal")
            .WithSummary("One deal.")
            .RequireAuthorization(SalesPermissions.Read)
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        sales.MapPatch("/deals/{id}", UpdateDeal)
            .WithName("UpdateDeal")
            .WithSummary("Change an open deal: title, amount, expectedCloseDate, ownerRepId, probability (0–100, then kept across stage changes), forecastCategory (pipeline, best_case, commit, omitted).")
            .WithDescription("A won or lost deal → 409 deal_closed.")
            .RequireAuthorization(SalesPermissions.Write)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409).ProducesProblem(422);
        sales.MapPost("/deals/{id}/stage", ChangeStage)
            .WithName("ChangeDealStage")
            .WithSummary("Move an open deal to another open stage; the change is kept in its history.")
            .WithDescription("A won or lost deal → 409 deal_closed; moved by someone else meanwhile → 409 deal_stage_changed.")
            .RequireAuthorization(SalesPermissions.Write)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        sales.MapPost("/deals/{id}/win", WinDeal)
            .WithName("WinDeal")
            .WithSummary("Win an open deal (probability 100, forecast closed), optionally naming its order.")
            .WithDescription("Already closed → 409 deal_closed; unknown order → 422 unknown_won_order.")
            .RequireAuthorization(SalesPermissions.Write)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409).ProducesProblem(422);
        sales.MapPost("/deals/{id}/lose", LoseDeal)
            .WithName("LoseDeal")
            .WithSummary("Lose an open deal with a reason (required): probability 0, forecast omitted.")
            .WithDescription("Already closed → 409 deal_closed.")
            .RequireAuthorization(SalesPermissions.Write)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        sales.MapGet("/deals/{id}/history", DealHistory)
            .WithName("GetDealHistory")
            .WithSummary("Every stage change of the deal, oldest first: from (null when created), to, at, by, probability.")
            .RequireAuthorization(SalesPermissions.Read)
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        sales.MapPost("/deals/{id}/activities", AddActivity)
            .WithName("AddDealActivity")
            .WithSummary("Log an activity on a deal: type (call, email, meeting, task, note), subject, dueAt, done.")
            .RequireAuthorization(SalesPermissions.Write)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        sales.MapPost("/activities/{id}/done", CompleteActivity)
            .WithName("CompleteSalesActivity")
            .WithSummary("Mark an activity done (doing it again keeps the first time).")
            .RequireAuthorization(SalesPermissions.Write)
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        sales.MapGet("/activities", ListActivities)
            .WithName("ListSalesActivities")
            .WithSummary("Activities, oldest first; filter by repId (the deal's owner), dealId, overdue=true (not done and due before now).")
            .RequireAuthorization(SalesPermissions.Read)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403);
        sales.MapGet("/stages", GetStages)
            .WithName("GetSalesStages")
            .WithSummary("The stages in order with their default probabilities (won 100 and lost 0 are fixed).")
            .RequireAuthorization(SalesPermissions.Read)
            .ProducesProblem(401).ProducesProblem(403);
        sales.MapPut("/stages", UpdateStages)
            .WithName("UpdateSalesStages")
            .WithSummary("Set default probabilities of open stages: {stages: [{stage, probability}]}; stages not named stay. Deals take them at their next stage change.")
            .RequireAuthorization(SalesPermissions.Manage)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403);
        sales.MapGet("/metrics", Metrics)
            .WithName("GetSalesMetrics")
            .WithSummary("Win rate, deal size, cycle length, pipeline, weighted pipeline, velocity, stage conversion and forecast over [from, to) (ISO dates, to exclusive; default the last 90 days), for all deals or a repId, teamId or territoryId (the deals of the reps who work the territory). Defined in docs/sales.md.")
            .RequireAuthorization(SalesPermissions.Read)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403);
        sales.MapPut("/quotas", SetQuota)
            .WithName("SetSalesQuota")
            .WithSummary("Set a rep's quota for a month (yyyy-MM) or quarter (yyyy-Qn): {repId, period, amount} (store currency); setting it again replaces it.")
            .WithDescription("Unknown rep → 422 unknown_rep. A month and a quarter quota may coexist; docs/sales.md says which counts.")
            .RequireAuthorization(SalesPermissions.Manage)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(422);
        sales.MapGet("/quotas", ListQuotas)
            .WithName("ListSalesQuotas")
            .WithSummary("Per rep for a period (yyyy-MM or yyyy-Qn): quota, attained (invoiced basis), attainment (percent), ranked by attained; with the team roll-up. Filter by teamId.")
            .RequireAuthorization(SalesPermissions.Read)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403);
        sales.MapPost("/commission-plans", CreateCommissionPlan)
            .WithName("CreateCommissionPlan")
            .WithSummary("Create a commission plan: {name, basis: paid|invoiced, rate, tiers: [{fromAttainment, rate}]} (percent, two decimals).")
            .WithDescription("The tier with the highest fromAttainment at or below the rep's attainment sets the rate for the whole period (below every tier: rate). A plan with the name exists → 409 commission_plan_exists.")
            .RequireAuthorization(SalesPermissions.Manage)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(409);
        sales.MapGet("/commission-plans", ListCommissionPlans)
            .WithName("ListCommissionPlans")
            .WithSummary("Commission plans by name, with their tiers and the reps on each.")
            .RequireAuthorization(SalesPermissions.Manage)
            .ProducesProblem(401).ProducesProblem(403);
        sales.MapPatch("/commission-plans/{id}", UpdateCommissionPlan)
            .WithName("UpdateCommissionPlan")
            .WithSummary("Rename a commission plan, or change its basis, rate and tiers while no rep has ever been on it: {name?, basis?, rate?, tiers?} (tiers replace the plan's).")
            .WithDescription("Terms of a plan a rep has been on → 409 commission_plan_in_use (past statements rest on them: make a new plan and move the reps); a name in use → 409 commission_plan_exists; unknown plan → 404.")
            .RequireAuthorization(SalesPermissions.Manage)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        sales.MapDelete("/commission-plans/{id}", DeleteCommissionPlan)
            .WithName("DeleteCommissionPlan")
            .WithSummary("Delete a commission plan no rep has ever been on.")
            .WithDescription("A plan a rep is or was on → 409 commission_plan_in_use; unknown plan → 404.")
            .RequireAuthorization(SalesPermissions.Manage)
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        sales.MapGet("/reps/{id}/commission-plans", CommissionPlanHistory)
            .WithName("ListRepCommissionPlanHistory")
            .WithSummary("The rep's commission plan changes, oldest first: [{planId, planName, from}] (from null: before changes were recorded; planId null: off any plan). A statement uses the plan the rep was on at its period's end.")
            .RequireAuthorization(SalesPermissions.Manage)
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        sales.MapPut("/reps/{id}/commission-plan", AssignCommissionPlan)
            .WithName("AssignCommissionPlan")
            .WithSummary("Put a rep on a commission plan from now on: {planId} (null: no plan). Statements of periods that ended before keep the plan the rep was on then.")
            .WithDescription("Unknown plan → 422 unknown_commission_plan; unknown rep → 404.")
            .RequireAuthorization(SalesPermissions.Manage)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(422);
        sales.MapGet("/commissions", ListCommissions)
            .WithName("GetSalesCommissions")
            .WithSummary("Commission statements for a period (yyyy-MM or yyyy-Qn) per rep: quota, attained, attainment, rate, commission and lines (orders, and refunds as negative lines). Filter by repId, teamId.")
            .RequireAuthorization(SalesPermissions.Manage)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403);
        sales.MapGet("/forecast-accuracy", GetForecastAccuracy)
            .WithName("GetSalesForecastAccuracy")
            .WithSummary("The forecast (commit, bestCase, pipeline, weighted) as it stood at the period's start against what was won in the period; accuracy = won ÷ commit; per rep. Filter by teamId.")
            .RequireAuthorization(SalesPermissions.Read)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403);
        return api;
    }

    private static async Task<Ok<QuotaView>> SetQuota(SetQuotaRequest request, Quotas quotas, CancellationToken ct) =>
        TypedResults.Ok(await quotas.SetAsync(request, ct));

    private static async Task<Ok<QuotasView>> ListQuotas([FromQuery] string? period, [FromQuery] string? teamId, Quotas quotas, CancellationToken ct) =>
        TypedResults.Ok(await quotas.ListAsync(period, teamId, ct));

    private static async Task<Created<CommissionPlanView>> CreateCommissionPlan(CreateCommissionPlanRequest request, Commissions commissions, CancellationToken ct) =>
        TypedResults.Created((string?)null, await commissions.CreatePlanAsync(request, ct));

    private static async Task<Ok<IReadOnlyList<CommissionPlanView>>> ListCommissionPlans(Commissions commissions, CancellationToken ct) =>
        TypedResults.Ok(await commissions.ListPlansAsync(ct));

    private static async Task<Ok<CommissionPlanView>> UpdateCommissionPlan(string id, UpdateCommissionPlanRequest request, Commissions commissions, CancellationToken ct) =>
        TypedResults.Ok(await commissions.UpdatePlanAsync(id, request, ct));

    private static async Task<NoContent> DeleteCommissionPlan(string id, Commissions commissions, CancellationToken ct)
    {
        await commissions.DeletePlanAsync(id, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<IReadOnlyList<CommissionPlanAssignmentView>>> CommissionPlanHistory(string id, Commissions commissions, CancellationToken ct) =>
        TypedResults.Ok(await commissions.PlanHistoryAsync(id, ct));

    private static async Task<Ok<RepView>> AssignCommissionPlan(string id, AssignCommissionPlanRequest request, Commissions commissions, CancellationToken ct) =>
        TypedResults.Ok(await commissions.AssignAsync(id, request, ct));

    private static async Task<Ok<CommissionsView>> ListCommissions(
        [FromQuery] string? period, [FromQuery] string? repId, [FromQuery] string? teamId, Commissions commissions, CancellationToken ct) =>
        TypedResults.Ok(await commissions.StatementsAsync(period, repId, teamId, ct));

    private static async Task<Ok<ForecastAccuracyView>> GetForecastAccuracy([FromQuery] string? period, [FromQuery] string? teamId, ForecastAccuracy accuracy, CancellationToken ct) =>
        TypedResults.Ok(await accuracy.GetAsync(period, teamId, ct));

    private static async Task<Created<TeamView>> CreateTeam(CreateTeamRequest request, SalesTeams teams, CancellationToken ct)
    {
        var team = await teams.CreateTeamAsync(request, ct);
        return TypedResults.Created((string?)null, team);
    }

    private static async Task<Ok<IReadOnlyList<TeamView>>> ListTeams(SalesTeams teams, CancellationToken ct) =>
        TypedResults.Ok(await teams.ListTeamsAsync(ct));

    private static async Task<Created<RepView>> CreateRep(CreateRepRequest request, SalesTeams teams, CancellationToken ct) =>
        TypedResults.Created((string?)null, await teams.CreateRepAsync(request, ct));

    private static async Task<Ok<IReadOnlyList<RepView>>> ListReps([FromQuery] string? teamId, SalesTeams teams, CancellationToken ct) =>
        TypedResults.Ok(await teams.ListRepsAsync(teamId, ct));

    private static async Task<Created<TerritoryView>> CreateTerritory(CreateTerritoryRequest request, SalesTeams teams, CancellationToken ct) =>
        TypedResults.Created((string?)null, await teams.CreateTerritoryAsync(request, ct));

    private static async Task<Ok<IReadOnlyList<TerritoryView>>> ListTerritories(SalesTeams teams, CancellationToken ct) =>
        TypedResults.Ok(await teams.ListTerritoriesAsync(ct));

    private static async Task<Created<DealView>> CreateDeal(CreateDealRequest request, HttpContext http, Deals deals, CancellationToken ct)
    {
        var deal = await deals.CreateAsync(request, http.User.Actor(), ct);
        return TypedResults.Created($"/api/v1/sales/deals/{deal.Id}", deal);
    }

    private static async Task<Ok<Page<DealView>>> ListDeals(
        [FromQuery] string? repId, [FromQuery] string? teamId, [FromQuery] string? stage, [FromQuery] int? limit, [FromQuery] string? cursor, Deals deals, CancellationToken ct) =>
        TypedResults.Ok(await deals.ListAsync(new DealListFilter(repId, teamId, stage, limit, cursor), ct));

    private static async Task<Ok<DealView>> GetDeal(string id, Deals deals, CancellationToken ct) =>
        TypedResults.Ok(await deals.GetAsync(id, ct));

    private static async Task<Ok<DealView>> UpdateDeal(string id, UpdateDealRequest request, Deals deals, CancellationToken ct) =>
        TypedResults.Ok(await deals.UpdateAsync(id, request, ct));

    private static async Task<Ok<DealView>> ChangeStage(string id, ChangeStageRequest request, HttpContext http, Deals deals, CancellationToken ct) =>
        TypedResults.Ok(await deals.ChangeStageAsync(id, request, http.User.Actor(), ct));

    private static async Task<Ok<DealView>> WinDeal(string id, WinDealRequest request, HttpContext http, Deals deals, CancellationToken ct) =>
        TypedResults.Ok(await deals.WinAsync(id, request, http.User.Actor(), ct));

    private static async Task<Ok<DealView>> LoseDeal(string id, LoseDealRequest request, HttpContext http, Deals deals, CancellationToken ct) =>
        TypedResults.Ok(await deals.LoseAsync(id, request, http.User.Actor(), ct));

    private static async Task<Ok<IReadOnlyList<StageChangeView>>> DealHistory(string id, Deals deals, CancellationToken ct) =>
        TypedResults.Ok(await deals.HistoryAsync(id, ct));

    private static async Task<Created<ActivityView>> AddActivity(string id, CreateActivityRequest request, HttpContext http, Deals deals, CancellationToken ct) =>
        TypedResults.Created((string?)null, await deals.AddActivityAsync(id, request, http.User.Actor(), ct));

    private static async Task<Ok<ActivityView>> CompleteActivity(string id, Deals deals, CancellationToken ct) =>
        TypedResults.Ok(await deals.CompleteActivityAsync(id, ct));

    private static async Task<Ok<Page<ActivityView>>> ListActivities(
        [FromQuery] string? repId, [FromQuery] string? overdue, [FromQuery] string? dealId, [FromQuery] int? limit, [FromQuery] string? cursor, Deals deals, CancellationToken ct) =>
        TypedResults.Ok(await deals.ListActivitiesAsync(repId, overdue, dealId, limit, cursor, ct));

    private static async Task<Ok<StagesView>> GetStages(Deals deals, CancellationToken ct) =>
        TypedResults.Ok(await deals.GetStagesAsync(ct));

    private static async Task<Ok<StagesView>> UpdateStages(UpdateStagesRequest request, Deals deals, CancellationToken ct) =>
        TypedResults.Ok(await deals.UpdateStagesAsync(request, ct));

    private static async Task<Ok<SalesMetricsView>> Metrics(
        [FromQuery] string? from, [FromQuery] string? to, [FromQuery] string? repId, [FromQuery] string? teamId, [FromQuery] string? territoryId, SalesMetrics metrics, CancellationToken ct) =>
        TypedResults.Ok(await metrics.GetAsync(from, to, repId, teamId, territoryId, ct));
}
