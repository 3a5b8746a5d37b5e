namespace Storekeep.Demo;

/// <summary>How a kind of product varies: the option ladder its variants are picked from.</summary>
internal enum OptionSet
{
    None,
    ApparelSize,
    ShoeSize,
    Colour,
    ColourAndSize,
    Capacity,
    Bag,
    PaperSize,
    Weight,
    Length,
    PanSize,
}

/// <summary>A kind of product (a noun with a price band), combined with qualifiers into titles.</summary>
internal sealed record ProductKind(string Noun, decimal MinPrice, decimal MaxPrice, int WeightGrams, OptionSet Options);

/// <summary>One demo category: what it sells and how it reads.</summary>
internal sealed record CategoryTemplate(
    string Code,
    string Name,
    string Description,
    string[] Qualifiers,
    ProductKind[] Kinds,
    string[] Pitches,
    int[] PeakMonths);

/// <summary>The word lists the demo store is built from. Fixed, so the same seed gives the same store.</summary>
internal static class DemoCatalogData
{
    public static readonly CategoryTemplate[] Categories =
    [
        new("APP", "Apparel", "Everyday clothing in natural fibres, cut to last.",
            ["Harbor", "Alpine Merino", "Coastline", "Organic Cotton", "Heritage", "Drift", "Everyday", "Ridge", "Linen Blend", "Fieldhouse"],
            [
                new("Tee", 18m, 34m, 180, OptionSet.ColourAndSize),
                new("Hoodie", 48m, 78m, 620, OptionSet.ColourAndSize),
                new("Crew Sweater", 58m, 110m, 480, OptionSet.ColourAndSize),
                new("Flannel Shirt", 44m, 72m, 390, OptionSet.ApparelSize),
                new("Chino Shorts", 36m, 58m, 310, OptionSet.ApparelSize),
                new("Rain Jacket", 89m, 160m, 540, OptionSet.ColourAndSize),
                new("Beanie", 16m, 32m, 90, OptionSet.Colour),
            ],
            ["Pre-washed for a soft hand and minimal shrinkage.", "Reinforced seams and a relaxed, true-to-size fit.", "Dyed in small batches, so every colour stays rich wash after wash.", "Ethically made in audited factories."],
            [10, 11, 12]),
        new("FTW", "Footwear", "Shoes and boots for trail, town and everything between.",
            ["Trailrunner", "Summit", "Canyon", "Urban", "Meadow", "Granite", "Cascade", "Weekend"],
            [
                new("Hiking Boot", 119m, 189m, 1150, OptionSet.ShoeSize),
                new("Trail Shoe", 89m, 139m, 780, OptionSet.ShoeSize),
                new("Canvas Sneaker", 49m, 79m, 640, OptionSet.ShoeSize),
                new("Wool Slipper", 39m, 59m, 350, OptionSet.ShoeSize),
                new("Merino Hiking Socks (3-pack)", 22m, 32m, 160, OptionSet.ApparelSize),
            ],
            ["Grippy rubber outsole with a removable cushioned footbed.", "Waterproof membrane keeps feet dry without the sweat.", "Broken in from the first mile.", "Resoleable construction: repair it, don't replace it."],
            [3, 4, 9, 10]),
        new("OUT", "Outdoor & Camping", "Gear for nights under the stars and days on the trail.",
            ["Basecamp", "Northstar", "Trailhead", "Backcountry", "Lakeside", "Timberline", "Firefly", "Pathfinder"],
            [
                new("2-Person Tent", 149m, 289m, 2300, OptionSet.Colour),
                new("Sleeping Bag", 89m, 219m, 1400, OptionSet.None),
                new("Camp Stove", 45m, 99m, 820, OptionSet.None),
                new("Headlamp", 24m, 49m, 95, OptionSet.Colour),
                new("Insulated Water Bottle", 22m, 38m, 410, OptionSet.Capacity),
                new("Camp Chair", 39m, 79m, 1900, OptionSet.Colour),
                new("Trekking Poles", 59m, 129m, 520, OptionSet.None),
            ],
            ["Packs down small and sets up in minutes.", "Tested in the field by our own team before it ships.", "Backed by a lifetime warranty against defects.", "Lightweight without cutting corners on durability."],
            [5, 6, 7, 8]),
        new("KIT", "Kitchen", "Tools and cookware that earn their place on the counter.",
            ["Hearth", "Copperline", "Fieldstone", "Prairie", "Baker's", "Smokehouse", "Larder", "Orchard"],
            [
                new("Cast Iron Skillet", 34m, 69m, 2600, OptionSet.PanSize),
                new("Chef's Knife", 59m, 149m, 230, OptionSet.None),
                new("Cutting Board", 29m, 79m, 1300, OptionSet.None),
                new("Pour-Over Kettle", 44m, 89m, 780, OptionSet.Colour),
                new("Stoneware Mug", 14m, 24m, 380, OptionSet.Capacity),
                new("Linen Apron", 26m, 42m, 210, OptionSet.Colour),
                new("Dutch Oven", 89m, 199m, 5100, OptionSet.Colour),
            ],
            ["Dishwasher safe, though hand washing keeps it beautiful longer.", "Made to be handed down.", "Balanced, comfortable and easy to care for.", "Seasoned and ready to cook on day one."],
            [11, 12]),
        new("HOM", "Home & Living", "Small things that make a home feel lived in.",
            ["Cabin", "Driftwood", "Morning", "Wildflower", "Hygge", "Juniper", "Sunday", "Amber"],
            [
                new("Soy Candle", 18m, 36m, 420, OptionSet.None),
                new("Wool Throw", 79m, 149m, 1200, OptionSet.Colour),
                new("Linen Pillow Cover", 29m, 49m, 260, OptionSet.Colour),
                new("Ceramic Planter", 24m, 58m, 900, OptionSet.Colour),
                new("Cotton Bath Towel", 22m, 38m, 600, OptionSet.Colour),
                new("Wall Clock", 39m, 89m, 800, OptionSet.None),
            ],
            ["Hand-finished, so each piece is slightly different.", "Natural materials, no synthetic fillers.", "A quiet upgrade for any room.", "Gift-wrapped on request at no extra cost."],
            [11, 12, 2]),
        new("COF", "Coffee & Tea", "Small-batch roasts and loose-leaf teas, shipped fresh.",
            ["Sunrise", "Highland", "Espresso", "Single Origin Ethiopia", "Colombia Huila", "Decaf", "Earl Grey", "Sencha", "Chai", "Night Owl"],
            [
                new("Whole Bean Coffee", 14m, 24m, 300, OptionSet.Bag),
                new("Ground Coffee", 14m, 22m, 300, OptionSet.Bag),
                new("Loose Leaf Tea", 12m, 22m, 150, OptionSet.Bag),
                new("Cold Brew Pack", 16m, 26m, 350, OptionSet.None),
            ],
            ["Roasted to order and shipped within 48 hours.", "Notes of dark chocolate, cherry and brown sugar.", "Direct trade with growers we have visited.", "Sealed with a one-way valve to keep it fresh."],
            [1, 2, 10, 11, 12]),
        new("BAG", "Bags & Travel", "Packs, totes and organisers for the daily carry.",
            ["Commuter", "Voyager", "Metro", "Wayfarer", "Roamer", "Transit", "Atlas", "Nomad"],
            [
                new("Daypack", 69m, 129m, 850, OptionSet.Colour),
                new("Canvas Tote", 29m, 54m, 420, OptionSet.Colour),
                new("Duffel Bag", 89m, 169m, 1300, OptionSet.Colour),
                new("Packing Cubes (set of 3)", 29m, 44m, 310, OptionSet.Colour),
                new("Leather Wallet", 39m, 79m, 110, OptionSet.Colour),
            ],
            ["Water-resistant waxed canvas with a padded laptop sleeve.", "Fits under an airline seat.", "YKK zips and full-grain leather trim.", "Repaired free for the life of the bag."],
            [6, 7, 8, 12]),
        new("STA", "Stationery", "Paper goods and desk tools for people who still write things down.",
            ["Field Notes", "Studio", "Archive", "Draftsman", "Margin", "Ledger", "Sketchbook", "Atelier"],
            [
                new("Dotted Notebook", 12m, 24m, 280, OptionSet.PaperSize),
                new("Weekly Planner", 22m, 36m, 420, OptionSet.PaperSize),
                new("Fountain Pen", 29m, 89m, 40, OptionSet.Colour),
                new("Desk Organizer", 34m, 64m, 700, OptionSet.None),
                new("Sticky Notes Set", 8m, 16m, 120, OptionSet.None),
            ],
            ["Acid-free 100 gsm paper that takes fountain pen ink without bleed.", "Lays flat when open.", "Designed in our studio, printed locally.", "Refills available separately."],
            [1, 8, 9]),
        new("FIT", "Fitness", "Equipment for training at home or on the road.",
            ["Core", "Momentum", "Flow", "Iron", "Stride", "Balance", "Pulse", "Endure"],
            [
                new("Yoga Mat", 39m, 89m, 1800, OptionSet.Colour),
                new("Dumbbell", 24m, 69m, 4500, OptionSet.Weight),
                new("Resistance Bands Set", 19m, 39m, 300, OptionSet.None),
                new("Foam Roller", 24m, 44m, 500, OptionSet.Colour),
                new("Jump Rope", 14m, 29m, 200, OptionSet.Colour),
            ],
            ["Non-slip surface that grips better as you sweat.", "Built for daily use at home or at the gym.", "Free of PVC and latex.", "Comes with a guide to twelve beginner routines."],
            [1, 2, 9]),
        new("TEC", "Tech Accessories", "Cables, chargers and stands that just work.",
            ["PowerLink", "Braided", "Fastcharge", "Desk", "Travel", "MagSnap", "Studio", "Everyday"],
            [
                new("USB-C Cable", 12m, 24m, 60, OptionSet.Length),
                new("Wall Charger", 24m, 49m, 120, OptionSet.None),
                new("Laptop Stand", 39m, 79m, 1100, OptionSet.Colour),
                new("Wireless Charging Pad", 29m, 59m, 180, OptionSet.Colour),
                new("Power Bank", 34m, 69m, 260, OptionSet.None),
                new("Phone Case", 19m, 39m, 40, OptionSet.Colour),
            ],
            ["Certified for fast charging and tested for 10,000 bends.", "Two-year warranty, no questions asked.", "Compact enough for any bag.", "Works with every USB-C device we have tried."],
            [11, 12, 8]),
    ];

    public static readonly string[] Colours = ["Black", "Navy", "Olive", "Sand", "Charcoal", "Rust", "Forest", "Slate", "Cream", "Sky"];
    public static readonly string[] ApparelSizes = ["XS", "S", "M", "L", "XL", "XXL"];
    public static readonly string[] ShoeSizes = ["7", "8", "9", "10", "11", "12"];
    public static readonly (string Title, decimal Extra)[] Capacities = [("12 oz", 0m), ("16 oz", 2m), ("20 oz", 4m), ("32 oz", 8m)];
    public static readonly (string Title, decimal Extra)[] Bags = [("250 g", 0m), ("500 g", 9m), ("1 kg", 22m)];
    public static readonly (string Title, decimal Extra)[] PaperSizes = [("A6", -4m), ("A5", 0m), ("A4", 5m)];
    public static readonly (string Title, decimal Extra)[] Weights = [("5 lb", 0m), ("10 lb", 10m), ("15 lb", 20m), ("20 lb", 30m), ("25 lb", 40m)];
    public static readonly (string Title, decimal Extra)[] Lengths = [("0.5 m", 0m), ("1 m", 2m), ("2 m", 4m), ("3 m", 6m)];
    public static readonly (string Title, decimal Extra)[] PanSizes = [("8 in", 0m), ("10 in", 10m), ("12 in", 20m)];

    public static readonly string[] FirstNames =
    [
        "Olivia", "Liam", "Emma", "Noah", "Ava", "Oliver", "Sophia", "Elijah", "Isabella", "James",
        "Mia", "William", "Amelia", "Benjamin", "Harper", "Lucas", "Evelyn", "Henry", "Abigail", "Theodore",
        "Emily", "Jack", "Ella", "Levi", "Chloe", "Mateo", "Grace", "Samuel", "Zoe", "Daniel",
        "Priya", "Arjun", "Mei", "Hiroshi", "Yuki", "Fatima", "Omar", "Sofia", "Diego", "Lena",
        "Jonas", "Hannah", "Lukas", "Clara", "Felix", "Emil", "Freya", "Oscar", "Isla", "Finn",
        "Charlotte", "Leo", "Aisha", "Kwame", "Nadia", "Tomás", "Ingrid", "Mateus", "Ananya", "Wei",
    ];

    public static readonly string[] LastNames =
    [
        "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
        "Hernandez", "Lopez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee",
        "Thompson", "White", "Harris", "Clark", "Lewis", "Robinson", "Walker", "Young", "Allen", "King",
        "Wright", "Scott", "Nguyen", "Hill", "Green", "Adams", "Baker", "Nelson", "Campbell", "Mitchell",
        "Patel", "Kim", "Chen", "Tanaka", "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Wagner",
        "O'Brien", "Murphy", "Evans", "Hughes", "Okafor", "Mensah", "Novak", "Larsen", "Rossi", "Dubois",
    ];

    public static readonly string[] Companies =
    [
        "Bright Path Studio", "Cedar & Co", "Northwind Traders", "Blue Fern Design", "Riverbend Cafe", "Summit Outfitters",
        "Paper Crane Books", "Little Harbor Yoga", "Oak Street Architects", "Fieldwork Labs", "Maple Leaf Events",
        "Copper Kettle Catering", "Greenhouse Collective", "Atlas Consulting", "Lumen Photography", "Kestrel Analytics",
        "Willow Creek Farm", "Ironwood Fitness", "Tidewater Marine", "Foxglove Florist",
    ];

    public static readonly string[] Streets =
    [
        "Maple Street", "Oak Avenue", "Cedar Lane", "Pine Road", "Elm Street", "Washington Avenue", "Lake Drive",
        "Hillcrest Road", "Park Place", "River Road", "Sunset Boulevard", "Church Street", "Main Street", "Highland Avenue",
        "Meadow Lane", "Forest Drive", "Spring Street", "Harbor View", "Orchard Way", "Station Road",
    ];

    /// <summary>City, region (state/province or null), postal code, weight within the country.</summary>
    public static readonly Dictionary<string, (string City, string? Region, string Postal)[]> Places = new(StringComparer.Ordinal)
    {
        ["US"] =
        [
            ("Los Angeles", "CA", "90012"), ("San Francisco", "CA", "94103"), ("San Diego", "CA", "92101"),
            ("New York", "NY", "10001"), ("Brooklyn", "NY", "11201"), ("Austin", "TX", "78701"), ("Houston", "TX", "77002"),
            ("Seattle", "WA", "98101"), ("Chicago", "IL", "60601"), ("Miami", "FL", "33130"), ("Orlando", "FL", "32801"),
            ("Philadelphia", "PA", "19103"), ("Boston", "MA", "02108"), ("Newark", "NJ", "07102"), ("Columbus", "OH", "43215"),
            ("Las Vegas", "NV", "89101"), ("Portland", "OR", "97204"), ("Denver", "CO", "80202"), ("Bozeman", "MT", "59715"),
            ("Atlanta", "GA", "30303"), ("Minneapolis", "MN", "55401"), ("Nashville", "TN", "37203"),
        ],
        ["CA"] = [("Toronto", "ON", "M5V 2T6"), ("Vancouver", "BC", "V6B 1A1"), ("Montreal", "QC", "H2X 1Y4"), ("Calgary", "AB", "T2P 1J9"), ("Ottawa", "ON", "K1P 5G4")],
        ["GB"] = [("London", null, "EC1A 1BB"), ("Manchester", null, "M1 1AE"), ("Bristol", null, "BS1 4DJ"), ("Edinburgh", null, "EH1 1YZ"), ("Leeds", null, "LS1 4AP")],
        ["DE"] = [("Berlin", null, "10115"), ("München", null, "80331"), ("Hamburg", null, "20095"), ("Köln", null, "50667"), ("Leipzig", null, "04109")],
        ["FR"] = [("Paris", null, "75001"), ("Lyon", null, "69002"), ("Bordeaux", null, "33000")],
        ["NL"] = [("Amsterdam", null, "1012 JS"), ("Utrecht", null, "3511 AA"), ("Rotterdam", null, "3011 AD")],
        ["AU"] = [("Sydney", "NSW", "2000"), ("Melbourne", "VIC", "3000"), ("Brisbane", "QLD", "4000")],
        ["SE"] = [("Stockholm", null, "111 20"), ("Göteborg", null, "411 03")],
        ["JP"] = [("Tokyo", null, "100-0001"), ("Osaka", null, "530-0001")],
    };

    /// <summary>Where customers live, with weights: mostly the US.</summary>
    public static readonly (string Country, int Weight)[] Countries =
        [("US", 62), ("CA", 10), ("GB", 10), ("DE", 7), ("FR", 3), ("NL", 3), ("AU", 3), ("SE", 1), ("JP", 1)];

    public static readonly string[] ReturnReasons =
    [
        "Wrong size", "Changed my mind", "Arrived damaged", "Not as pictured", "Ordered the wrong colour",
        "Better price elsewhere", "Item defective", "Arrived too late",
    ];

    public static readonly string[] CancelReasons =
    [
        "Customer changed their mind", "Ordered by mistake", "Duplicate order", "Shipping address could not be verified", "Customer found it locally",
    ];
}
