//! Each model's variants and the violation kinds, declared once.
//!
//! A variant's name is what the catalogue, the command line, replay files and reports write, and a
//! reader looks it up in `gcmc list`, `gcmc explain` and the README: when each of those spelled it
//! by hand they drifted (R3 was `pop2012` in serde and `pop-2012` everywhere else). The two macros
//! here generate, from one table, the enum, `ALL`, the names, parsing, `Display` and serde (which
//! go through the same names, so a serialized value always parses back); [`declare_variants!`](crate::declare_variants)
//! adds each variant's [`VariantInfo`] (regression id, Go origin, whether it must hold, its
//! one-line meaning), from which `gcmc list` and the README's variant table are built.

/// An enum whose every value has one kebab-case name.
pub trait Named: Copy + Eq + 'static {
    /// Every value, in declaration order.
    const ALL: &'static [Self];
    /// Every name, in declaration order.
    const NAMES: &'static [&'static str];

    fn name(self) -> &'static str;

    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.name() == name)
    }
}

/// What the declaration says about one variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VariantInfo {
    pub name: &'static str,
    /// Its id in the regression catalogue (`R6`), if it is one of the catalogued bugs.
    pub regression: Option<&'static str>,
    /// The Go commit, issue or version it ports or breaks.
    pub origin: &'static str,
    /// Whether it must hold in every configuration (Go's versions, and any safe-but-wasteful one).
    pub must_hold: bool,
    /// One line: what it is, or what breaks.
    pub meaning: &'static str,
}

/// A model's `Variant` enum, as [`declare_variants!`](crate::declare_variants) declares it.
pub trait VariantSet: Named {
    fn info(self) -> VariantInfo;

    /// Every variant's information, in declaration order (correct versions first, by convention).
    fn infos() -> Vec<VariantInfo> {
        Self::ALL.iter().map(|v| v.info()).collect()
    }
}

/// Declares a unit enum whose values have kebab-case names, with [`Named`], `Display`, `FromStr`,
/// `Serialize` and `Deserialize` all going through those names: `enum Kind as "noun" { ... }`,
/// the noun naming it in parse errors. Each entry is
/// `Ident = "name" => "meaning"`; the meaning becomes the value's doc comment and `meaning()`.
#[macro_export]
macro_rules! declare_named {
    (
        $(#[$attr:meta])*
        $vis:vis enum $Enum:ident as $noun:literal {
            $( $(#[doc = $doc:literal])* $Value:ident = $name:literal => $meaning:literal ),+ $(,)?
        }
    ) => {
        $(#[$attr])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        $vis enum $Enum {
            $( #[doc = $meaning] #[doc = ""] $(#[doc = $doc])* $Value, )+
        }

        impl $crate::check::Named for $Enum {
            const ALL: &'static [Self] = $Enum::ALL;
            const NAMES: &'static [&'static str] = &[$($name),+];

            fn name(self) -> &'static str {
                match self { $($Enum::$Value => $name,)+ }
            }
        }

        impl $Enum {
            /// Every value, in declaration order.
            pub const ALL: &'static [Self] = &[$($Enum::$Value),+];

            /// The kebab-case name, as the catalogue, the command line and replay files write it.
            pub fn name(self) -> &'static str {
                <Self as $crate::check::Named>::name(self)
            }

            /// Parses a name; `None` if there is no such value.
            pub fn from_name(name: &str) -> Option<Self> {
                <Self as $crate::check::Named>::from_name(name)
            }

            /// What the value means, in one line.
            pub fn meaning(self) -> &'static str {
                match self { $($Enum::$Value => $meaning,)+ }
            }
        }

        impl ::std::fmt::Display for $Enum {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.name())
            }
        }

        impl ::std::str::FromStr for $Enum {
            type Err = ::std::string::String;

            fn from_str(name: &str) -> ::std::result::Result<Self, Self::Err> {
                Self::from_name(name).ok_or_else(|| {
                    format!("unknown {} `{name}` (known: {})", $noun, <Self as $crate::check::Named>::NAMES.join(", "))
                })
            }
        }

        impl ::serde::Serialize for $Enum {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.name())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $Enum {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let name = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(deserializer)?;
                <Self as ::std::str::FromStr>::from_str(&name).map_err(<D::Error as ::serde::de::Error>::custom)
            }
        }
    };
}

/// Declares a model's `Variant` enum with [`declare_named!`](crate::declare_named) and its [`VariantSet`] table. Each
/// entry: `Ident = "name" { [regression: "R6",] origin: "...", [must_hold: true,] meaning: "..." }`,
/// optionally preceded by doc comments that say more than the one-line meaning.
#[macro_export]
macro_rules! declare_variants {
    (
        $(#[$attr:meta])*
        $vis:vis enum $Enum:ident {
            $(
                $(#[doc = $doc:literal])*
                $Value:ident = $name:literal {
                    $(regression: $regression:literal,)?
                    origin: $origin:literal,
                    $(must_hold: $must_hold:literal,)?
                    meaning: $meaning:literal $(,)?
                }
            ),+ $(,)?
        }
    ) => {
        $crate::declare_named! {
            $(#[$attr])*
            $vis enum $Enum as "variant" { $( $(#[doc = $doc])* $Value = $name => $meaning ),+ }
        }

        impl $crate::check::VariantSet for $Enum {
            fn info(self) -> $crate::check::VariantInfo {
                match self {
                    $($Enum::$Value => $crate::check::VariantInfo {
                        name: $name,
                        regression: $crate::__declare_optional!($($regression)?),
                        origin: $origin,
                        must_hold: $crate::__declare_flag!($($must_hold)?),
                        meaning: $meaning,
                    },)+
                }
            }
        }

        impl $Enum {
            /// Whether the variant must hold in every configuration.
            pub fn must_hold(self) -> bool {
                <Self as $crate::check::VariantSet>::info(self).must_hold
            }

            /// Its regression-catalogue id (`R6`), if it is a catalogued bug.
            pub fn regression(self) -> Option<&'static str> {
                <Self as $crate::check::VariantSet>::info(self).regression
            }
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __declare_optional {
    () => {
        None
    };
    ($value:literal) => {
        Some($value)
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __declare_flag {
    () => {
        false
    };
    ($value:literal) => {
        $value
    };
}

#[cfg(test)]
mod tests {
    use super::{Named, VariantSet};

    declare_variants! {
        /// A table for the tests.
        enum Sample {
            /// More than the meaning says.
            Plain = "plain" { origin: "abc123", must_hold: true, meaning: "the correct one" },
            Broken = "broken-one" { regression: "R0", origin: "#1", meaning: "what breaks" },
        }
    }

    #[test]
    fn names_parse_display_and_serde_agree() {
        for &v in Sample::ALL {
            assert_eq!(Sample::from_name(v.name()), Some(v));
            assert_eq!(v.to_string(), v.name());
            assert_eq!(v.name().parse::<Sample>(), Ok(v));
            let json = serde_json::to_string(&v).unwrap();
            assert_eq!(json, format!("\"{}\"", v.name()));
            assert_eq!(serde_json::from_str::<Sample>(&json).unwrap(), v);
        }
        assert_eq!(Sample::NAMES, ["plain", "broken-one"]);
    }

    #[test]
    fn unknown_names_are_refused_naming_the_known_ones() {
        assert_eq!(Sample::from_name("Broken"), None);
        assert_eq!("nope".parse::<Sample>(), Err("unknown variant `nope` (known: plain, broken-one)".to_string()));
        let err = serde_json::from_str::<Sample>("\"nope\"").unwrap_err().to_string();
        assert_eq!(err, "unknown variant `nope` (known: plain, broken-one)");
    }

    #[test]
    fn the_table_is_what_was_declared() {
        assert_eq!(
            Sample::infos().iter().map(|i| (i.name, i.regression, i.origin, i.must_hold)).collect::<Vec<_>>(),
            [("plain", None, "abc123", true), ("broken-one", Some("R0"), "#1", false)]
        );
        assert_eq!(Sample::Broken.meaning(), "what breaks");
        assert!(Sample::Plain.must_hold() && !Sample::Broken.must_hold());
        assert_eq!(Sample::Broken.regression(), Some("R0"));
    }
}
