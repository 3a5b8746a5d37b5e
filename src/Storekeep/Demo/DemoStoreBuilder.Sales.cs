using Storekeep.Companies;
using Storekeep.Sales;

namespace Storekeep.Demo;

internal sealed partial class DemoStoreBuilder
{
    /// <summary>The demo's sales reps: the first signs in as the demo sales account (<c>sales@demo.storekeep.test</c>).</summary>
    public static readonly IReadOnlyList<(string Email, string Name)> SalesRepAccounts =
    [
        ("sales@demo.storekeep.test", "Avery Quinn"), ("blake.sales@demo.storekeep.test", "Blake Moreno"), ("casey.sales@demo.storekeep.test", "Casey Lindqvist"),
    ];

    private static readonly string[] CompanyNames =
    [
        "Northwind Hospitality", "Cedar & Oak Interiors", "Bluewater Hotels", "Maple Leaf Lodges", "Pinecrest Cafés", "Granite Office Supply",
        "Harborview Restaurants", "Lakeside Resorts", "Summit Coworking", "Riverbend Rentals", "Evergreen Property Group", "Brightside Clinics",
        "Copperfield Inns", "Westgate Student Housing", "Silver Birch Spa", "Oakridge Schools", "Thames Boutique Hotels", "Highland Holiday Lets",
        "Kensington Serviced Flats", "Rheinblick Hotels", "Alster Büro GmbH", "Bavaria Gasthaus Gruppe", "Spree Apartments", "Elbe Hostels", "Isar Kantinen",
    ];

    private static readonly string[] Industries = ["Hospitality", "Property", "Office", "Education", "Healthcare"];

    /// <summary>
    /// A wholesale team of three reps led by the first, two territories (North America round-robin between the first two
    /// reps, Europe owned by the third), 25 companies and a year of deals walked through the stages
    /// with their history: won, lost and still open, with activities, a few overdue. Drawn from its
    /// own random source, so the rest of the demo store is unchanged by it. The reps' back-office
    /// accounts are created with the other demo staff (their ids are the reps' user ids).
    /// </summary>
    private void BuildSales()
    {
        var rng = new Random(_salesSeed);
        var teamCreated = _start.AddDays(-30);
        var team = new SalesTeam { Id = NewId(rng), Name = "Wholesale", CreatedAt = teamCreated };
        _data.SalesTeams.Add(team);
        var reps = SalesRepAccounts.Select(a => new SalesRep
        {
            Id = NewId(rng), UserId = NewId(rng), Name = a.Name, Email = a.Email, TeamId = team.Id, CreatedAt = teamCreated,
        }).ToList();
        _data.SalesReps.AddRange(reps);

        // The demo sales account leads the team, so its board shows the whole team's pipeline.
        team.ManagerId = reps[0].UserId;

        var america = new SalesTerritory
        {
            Id = NewId(rng), Name = "North America", Countries = ["US", "CA"], Assignment = TerritoryAssignment.RoundRobin, CreatedAt = teamCreated,
        };
        var europe = new SalesTerritory
        {
            Id = NewId(rng), Name = "Europe", Countries = ["GB", "DE"], Assignment = TerritoryAssignment.Owner, CreatedAt = teamCreated.AddMinutes(1),
        };
        _data.SalesTerritories.AddRange([america, europe]);
        _data.SalesTerritoryReps.AddRange([
            new SalesTerritoryRep { TerritoryId = america.Id, RepId = reps[0].Id, Position = 0 },
            new SalesTerritoryRep { TerritoryId = america.Id, RepId = reps[1].Id, Position = 1 },
            new SalesTerritoryRep { TerritoryId = europe.Id, RepId = reps[2].Id, Position = 0 },
        ]);
        reps[0].TerritoryId = america.Id;
        reps[1].TerritoryId = america.Id;
        reps[2].TerritoryId = europe.Id;

        string[] countries = ["US", "US", "US", "CA", "CA", "US", "US", "CA", "US", "US", "US", "US", "CA", "US", "CA", "US", "GB", "GB", "GB", "DE", "DE", "DE", "DE", "DE", "DE"];
        PaymentTerms[] terms = [PaymentTerms.Net30, PaymentTerms.Net30, PaymentTerms.Net15, PaymentTerms.Prepaid, PaymentTerms.Net60];
        for (var i = 0; i < CompanyNames.Length; i++)
        {
            var created = teamCreated.AddDays(i);
            var european = countries[i] is "GB" or "DE";
            var owner = european ? reps[2] : reps[(int)(america.AssignmentCursor++ % 2)];
            _data.Companies.Add(new Company
            {
                Id = TimeOrderedId(created), Name = CompanyNames[i], Country = countries[i], Industry = Industries[rng.Next(Industries.Length)],
                PaymentTerms = terms[rng.Next(terms.Length)], CreditLimit = rng.Next(2, 21) * 5_000m, OwnerRepId = owner.Id, CreatedAt = created, UpdatedAt = created,
            });
        }

        // The first two (North American) accounts buy on the Wholesale list: their buyers see its tiers.
        var wholesale = _data.PriceLists.Single(l => l.Name == "Wholesale");
        foreach (var company in _data.Companies.Take(2))
        {
            company.PriceListId = wholesale.Id;
        }

        // The first buys on net 30 (drawn terms kept for the rest): quotes to it can be accepted on account.
        _data.Companies[0].PaymentTerms = PaymentTerms.Net30;

        for (var i = 0; i < 140; i++)
        {
            BuildDeal(rng, _data.Companies[rng.Next(_data.Companies.Count)], _start.AddDays(rng.NextDouble() * (HistoryDays - 2)));
        }
    }

    /// <summary>One deal from <paramref name="created"/>: a few days to weeks per stage, each stage a chance of losing it, closing won or lost, or still open today.</summary>
    private void BuildDeal(Random rng, Company company, DateTime created)
    {
        created = created.AddMinutes(rng.Next(8 * 60, 18 * 60) - created.TimeOfDay.TotalMinutes);
        var deal = new Deal
        {
            Id = TimeOrderedId(created), Title = $"{company.Name}: {DealTitles[rng.Next(DealTitles.Length)]}", CompanyId = company.Id,
            Amount = rng.Next(20, 600) * 100m + rng.Next(0, 100), ExpectedCloseDate = DateOnly.FromDateTime(created.AddDays(rng.Next(45, 120))),
            OwnerRepId = company.OwnerRepId, Source = Sources[rng.Next(Sources.Length)], Stage = DealStage.Prospecting,
            Probability = SalesNames.DefaultProbabilities[DealStage.Prospecting], ForecastCategory = ForecastCategory.Pipeline, CreatedAt = created, UpdatedAt = created,
        };
        var history = new List<DealStageChange> { Change(deal, null, DealStage.Prospecting, created) };
        var at = created;
        double[] keep = [0.75, 0.8, 0.75, 0.8, 0.85]; // chance a deal moves on from each open stage
        var stage = 0;
        while (true)
        {
            var next = at.AddDays(3 + (rng.NextDouble() * 18)).AddMinutes(rng.Next(0, 300));
            if (next >= _end)
            {
                break; // still open today
            }

            at = next;
            var from = deal.Stage;
            if (rng.NextDouble() > keep[stage])
            {
                (deal.Stage, deal.Probability, deal.ForecastCategory, deal.ClosedAt, deal.LostReason) =
                    (DealStage.Lost, 0, ForecastCategory.Omitted, at, LostReasons[rng.Next(LostReasons.Length)]);
            }
            else if (stage == SalesNames.OpenStages.Count - 1)
            {
                (deal.Stage, deal.Probability, deal.ForecastCategory, deal.ClosedAt) = (DealStage.Won, 100, ForecastCategory.Closed, at);
            }
            else
            {
                stage++;
                deal.Stage = SalesNames.OpenStages[stage];
                deal.Probability = SalesNames.DefaultProbabilities[deal.Stage];
            }

            deal.UpdatedAt = at;
            history.Add(Change(deal, from, deal.Stage, at));
            if (deal.IsClosed)
            {
                break;
            }
        }

        if (!deal.IsClosed)
        {
            deal.ForecastCategory = deal.Stage switch
            {
                DealStage.Closing => ForecastCategory.Commit,
                DealStage.Negotiation => ForecastCategory.BestCase,
                _ => ForecastCategory.Pipeline,
            };
            var today = DateOnly.FromDateTime(_end);
            if (deal.ExpectedCloseDate < today)
            {
                deal.ExpectedCloseDate = today.AddDays(rng.Next(7, 60));
            }
        }

        _data.Deals.Add(deal);
        _data.DealStageChanges.AddRange(history);

        // A first call, a meeting when it got to a proposal, and an open follow-up on open deals (some overdue).
        _data.SalesActivities.Add(Activity(deal, ActivityType.Call, "Intro call", created.AddDays(1), created.AddDays(1)));
        if (history.Any(h => h.ToStage == DealStage.Proposal))
        {
            var proposal = history.First(h => h.ToStage == DealStage.Proposal).At;
            _data.SalesActivities.Add(Activity(deal, ActivityType.Meeting, "Walk through the proposal", proposal.AddDays(2), proposal.AddDays(2) < _end ? proposal.AddDays(2) : null));
        }

        if (!deal.IsClosed)
        {
            var due = _end.AddDays(rng.Next(-6, 10)).AddHours(rng.Next(9, 17));
            _data.SalesActivities.Add(Activity(deal, rng.Next(2) == 0 ? ActivityType.Task : ActivityType.Email, "Follow up on next steps", due, null));
        }
    }

    private static readonly string[] DealTitles = ["linen restock", "guest room refresh", "kitchenware programme", "annual supply agreement", "new site fit-out", "seasonal order"];
    private static readonly string[] Sources = ["trade fair", "referral", "website", "outbound", "existing customer"];
    private static readonly string[] LostReasons = ["price", "chose a competitor", "no budget this year", "went quiet", "timing"];

    private static DealStageChange Change(Deal deal, DealStage? from, DealStage to, DateTime at) => new()
    {
        Id = TimeOrderedId(at), DealId = deal.Id, FromStage = from, ToStage = to, At = at, Actor = "sales", Probability = deal.Probability,
    };

    private static SalesActivity Activity(Deal deal, ActivityType type, string subject, DateTime due, DateTime? done) => new()
    {
        Id = TimeOrderedId(deal.CreatedAt), DealId = deal.Id, Type = type, Subject = subject, DueAt = due, DoneAt = done, Actor = "sales", CreatedAt = deal.CreatedAt,
    };

    /// <summary>Lists sort by id as by time, as for rows made live (Guid v7 of that time).</summary>
    private static Guid TimeOrderedId(DateTime at) => Guid.CreateVersion7(new DateTimeOffset(at, TimeSpan.Zero));

    private static Guid NewId(Random rng)
    {
        var bytes = new byte[16];
        rng.NextBytes(bytes);
        return new Guid(bytes);
    }
}
