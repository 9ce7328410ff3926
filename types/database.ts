export type Json =
  | string
  | number
  | boolean
  | null
  | { [key: string]: Json | undefined }
  | Json[]

export type Database = {
  commerce: {
    Tables: {
      inventory_levels: {
        Row: {
          allocated: number
          location_id: string
          on_hand: number
          reserved: number
          updated_at: string
          variant_id: string
        }
        Insert: {
          allocated?: number
          location_id: string
          on_hand?: number
          reserved?: number
          updated_at?: string
          variant_id: string
        }
        Update: {
          allocated?: number
          location_id?: string
          on_hand?: number
          reserved?: number
          updated_at?: string
          variant_id?: string
        }
        Relationships: [
          {
            foreignKeyName: "inventory_levels_location_id_fkey"
            columns: ["location_id"]
            isOneToOne: false
            referencedRelation: "locations"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "inventory_levels_variant_id_fkey"
            columns: ["variant_id"]
            isOneToOne: false
            referencedRelation: "variants"
            referencedColumns: ["id"]
          },
        ]
      }
      locations: {
        Row: {
          active: boolean
          code: string
          country: string
          id: string
          name: string
        }
        Insert: {
          active?: boolean
          code: string
          country: string
          id?: string
          name: string
        }
        Update: {
          active?: boolean
          code?: string
          country?: string
          id?: string
          name?: string
        }
        Relationships: []
      }
      lots: {
        Row: {
          allocated: number
          batch_number: string
          expires_on: string | null
          id: string
          location_id: string
          on_hand: number
          received_at: string
          variant_id: string
        }
        Insert: {
          allocated?: number
          batch_number: string
          expires_on?: string | null
          id?: string
          location_id: string
          on_hand?: number
          received_at?: string
          variant_id: string
        }
        Update: {
          allocated?: number
          batch_number?: string
          expires_on?: string | null
          id?: string
          location_id?: string
          on_hand?: number
          received_at?: string
          variant_id?: string
        }
        Relationships: [
          {
            foreignKeyName: "lots_variant_id_location_id_fkey"
            columns: ["variant_id", "location_id"]
            isOneToOne: false
            referencedRelation: "inventory_levels"
            referencedColumns: ["variant_id", "location_id"]
          },
        ]
      }
      products: {
        Row: {
          active: boolean
          category: string
          created_at: string
          description: string
          id: string
          name: string
          slug: string
        }
        Insert: {
          active?: boolean
          category: string
          created_at?: string
          description?: string
          id?: string
          name: string
          slug: string
        }
        Update: {
          active?: boolean
          category?: string
          created_at?: string
          description?: string
          id?: string
          name?: string
          slug?: string
        }
        Relationships: []
      }
      settings: {
        Row: {
          id: boolean
          lot_expiry_alert_days: number
          paystack_check_minutes: number
          reservation_minutes: number
          ruleset_version: number
          tax_bps: Json
          updated_at: string
        }
        Insert: {
          id?: boolean
          lot_expiry_alert_days?: number
          paystack_check_minutes?: number
          reservation_minutes?: number
          ruleset_version?: number
          tax_bps?: Json
          updated_at?: string
        }
        Update: {
          id?: boolean
          lot_expiry_alert_days?: number
          paystack_check_minutes?: number
          reservation_minutes?: number
          ruleset_version?: number
          tax_bps?: Json
          updated_at?: string
        }
        Relationships: []
      }
      variant_costs: {
        Row: {
          unit_cost_minor: number
          updated_at: string
          variant_id: string
        }
        Insert: {
          unit_cost_minor: number
          updated_at?: string
          variant_id: string
        }
        Update: {
          unit_cost_minor?: number
          updated_at?: string
          variant_id?: string
        }
        Relationships: [
          {
            foreignKeyName: "variant_costs_variant_id_fkey"
            columns: ["variant_id"]
            isOneToOne: true
            referencedRelation: "variants"
            referencedColumns: ["id"]
          },
        ]
      }
      variants: {
        Row: {
          active: boolean
          created_at: string
          currency: string
          id: string
          low_stock_threshold: number
          name: string
          price_minor: number
          product_id: string
          sku: string
        }
        Insert: {
          active?: boolean
          created_at?: string
          currency: string
          id?: string
          low_stock_threshold?: number
          name: string
          price_minor: number
          product_id: string
          sku: string
        }
        Update: {
          active?: boolean
          created_at?: string
          currency?: string
          id?: string
          low_stock_threshold?: number
          name?: string
          price_minor?: number
          product_id?: string
          sku?: string
        }
        Relationships: [
          {
            foreignKeyName: "variants_product_id_fkey"
            columns: ["product_id"]
            isOneToOne: false
            referencedRelation: "products"
            referencedColumns: ["id"]
          },
        ]
      }
    }
    Views: {
      [_ in never]: never
    }
    Functions: {
      [_ in never]: never
    }
    Enums: {
      [_ in never]: never
    }
    CompositeTypes: {
      [_ in never]: never
    }
  }
  energy: {
    Tables: {
      cities: {
        Row: {
          county: string
          deregulated: boolean
          geonames_id: number | null
          id: number
          latitude: number
          longitude: number
          market_status: string
          name: string
          population: number
          slug: string
          tdsp_id: number | null
          utility_name: string | null
        }
        Insert: {
          county: string
          deregulated: boolean
          geonames_id?: number | null
          id: number
          latitude: number
          longitude: number
          market_status: string
          name: string
          population?: number
          slug: string
          tdsp_id?: number | null
          utility_name?: string | null
        }
        Update: {
          county?: string
          deregulated?: boolean
          geonames_id?: number | null
          id?: number
          latitude?: number
          longitude?: number
          market_status?: string
          name?: string
          population?: number
          slug?: string
          tdsp_id?: number | null
          utility_name?: string | null
        }
        Relationships: [
          {
            foreignKeyName: "cities_tdsp_id_fkey"
            columns: ["tdsp_id"]
            isOneToOne: false
            referencedRelation: "tdsps"
            referencedColumns: ["id"]
          },
        ]
      }
      city_market_stats: {
        Row: {
          cheapest_cents_1000: number | null
          city_id: number
          computed_at: string
          median_cents_1000: number | null
          plan_count: number
          provider_count: number
          renewable_share: number | null
          tdsp_id: number
        }
        Insert: {
          cheapest_cents_1000?: number | null
          city_id: number
          computed_at?: string
          median_cents_1000?: number | null
          plan_count: number
          provider_count: number
          renewable_share?: number | null
          tdsp_id: number
        }
        Update: {
          cheapest_cents_1000?: number | null
          city_id?: number
          computed_at?: string
          median_cents_1000?: number | null
          plan_count?: number
          provider_count?: number
          renewable_share?: number | null
          tdsp_id?: number
        }
        Relationships: [
          {
            foreignKeyName: "city_market_stats_city_id_fkey"
            columns: ["city_id"]
            isOneToOne: true
            referencedRelation: "cities"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "city_market_stats_tdsp_id_fkey"
            columns: ["tdsp_id"]
            isOneToOne: false
            referencedRelation: "tdsps"
            referencedColumns: ["id"]
          },
        ]
      }
      county_tdsps: {
        Row: {
          county: string
          is_primary: boolean
          tdsp_id: number
        }
        Insert: {
          county: string
          is_primary?: boolean
          tdsp_id: number
        }
        Update: {
          county?: string
          is_primary?: boolean
          tdsp_id?: number
        }
        Relationships: [
          {
            foreignKeyName: "county_tdsps_tdsp_id_fkey"
            columns: ["tdsp_id"]
            isOneToOne: false
            referencedRelation: "tdsps"
            referencedColumns: ["id"]
          },
        ]
      }
      feed_cache: {
        Row: {
          body_sha256: string
          etag: string | null
          expires_at: string
          fetched_at: string
          last_modified: string | null
          url: string
        }
        Insert: {
          body_sha256: string
          etag?: string | null
          expires_at: string
          fetched_at?: string
          last_modified?: string | null
          url: string
        }
        Update: {
          body_sha256?: string
          etag?: string | null
          expires_at?: string
          fetched_at?: string
          last_modified?: string | null
          url?: string
        }
        Relationships: []
      }
      feed_sources: {
        Row: {
          enabled: boolean
          id: number
          name: string
          url: string
        }
        Insert: {
          enabled?: boolean
          id?: never
          name: string
          url: string
        }
        Update: {
          enabled?: boolean
          id?: never
          name?: string
          url?: string
        }
        Relationships: []
      }
      plan_comparisons: {
        Row: {
          city_id: number | null
          created_at: string
          filters: Json
          id: string
          monthly_usage_kwh: number[]
          plan_ids: number[] | null
          result_count: number
          session_id: string | null
          tdsp_id: number | null
          top_plan_ids: number[]
          usage_kwh: number
          user_id: string | null
          zip: string | null
        }
        Insert: {
          city_id?: number | null
          created_at?: string
          filters?: Json
          id?: string
          monthly_usage_kwh: number[]
          plan_ids?: number[] | null
          result_count: number
          session_id?: string | null
          tdsp_id?: number | null
          top_plan_ids?: number[]
          usage_kwh: number
          user_id?: string | null
          zip?: string | null
        }
        Update: {
          city_id?: number | null
          created_at?: string
          filters?: Json
          id?: string
          monthly_usage_kwh?: number[]
          plan_ids?: number[] | null
          result_count?: number
          session_id?: string | null
          tdsp_id?: number | null
          top_plan_ids?: number[]
          usage_kwh?: number
          user_id?: string | null
          zip?: string | null
        }
        Relationships: [
          {
            foreignKeyName: "plan_comparisons_city_id_fkey"
            columns: ["city_id"]
            isOneToOne: false
            referencedRelation: "cities"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "plan_comparisons_tdsp_id_fkey"
            columns: ["tdsp_id"]
            isOneToOne: false
            referencedRelation: "tdsps"
            referencedColumns: ["id"]
          },
        ]
      }
      plan_import_rejections: {
        Row: {
          id_key: string | null
          import_id: number
          line: number
          reason: string
        }
        Insert: {
          id_key?: string | null
          import_id: number
          line: number
          reason: string
        }
        Update: {
          id_key?: string | null
          import_id?: number
          line?: number
          reason?: string
        }
        Relationships: [
          {
            foreignKeyName: "plan_import_rejections_import_id_fkey"
            columns: ["import_id"]
            isOneToOne: false
            referencedRelation: "plan_imports"
            referencedColumns: ["id"]
          },
        ]
      }
      plan_imports: {
        Row: {
          error: string | null
          feed_url: string | null
          finished_at: string
          id: number
          plans_deactivated: number
          plans_inserted: number
          plans_updated: number
          rows_accepted: number
          rows_rejected: number
          rows_total: number
          source: string
          started_at: string
          status: string
        }
        Insert: {
          error?: string | null
          feed_url?: string | null
          finished_at?: string
          id?: never
          plans_deactivated?: number
          plans_inserted?: number
          plans_updated?: number
          rows_accepted?: number
          rows_rejected?: number
          rows_total?: number
          source: string
          started_at?: string
          status: string
        }
        Update: {
          error?: string | null
          feed_url?: string | null
          finished_at?: string
          id?: never
          plans_deactivated?: number
          plans_inserted?: number
          plans_updated?: number
          rows_accepted?: number
          rows_rejected?: number
          rows_total?: number
          source?: string
          started_at?: string
          status?: string
        }
        Relationships: []
      }
      plan_prices: {
        Row: {
          import_id: number | null
          plan_id: number
          price_1000: number
          price_2000: number
          price_500: number
          recorded_at: string
        }
        Insert: {
          import_id?: number | null
          plan_id: number
          price_1000: number
          price_2000: number
          price_500: number
          recorded_at?: string
        }
        Update: {
          import_id?: number | null
          plan_id?: number
          price_1000?: number
          price_2000?: number
          price_500?: number
          recorded_at?: string
        }
        Relationships: [
          {
            foreignKeyName: "plan_prices_import_id_fkey"
            columns: ["import_id"]
            isOneToOne: false
            referencedRelation: "plan_imports"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "plan_prices_plan_id_fkey"
            columns: ["plan_id"]
            isOneToOne: false
            referencedRelation: "plans"
            referencedColumns: ["id"]
          },
        ]
      }
      plans: {
        Row: {
          active: boolean
          cancel_fee: string | null
          cancel_fee_amount: number | null
          deactivated_at: string | null
          enroll_phone: string | null
          enroll_url: string | null
          facts_url: string | null
          features: string[]
          fees_credits: string | null
          first_seen_at: string
          fixed: boolean
          has_bill_credit: boolean
          id: number
          language: string
          last_import_id: number | null
          last_seen_at: string
          min_usage_fees_credits: boolean
          name: string
          new_customer: boolean
          prepaid: boolean
          prepaid_url: string | null
          price_1000: number
          price_2000: number
          price_500: number
          promotion: boolean
          promotion_desc: string | null
          provider_id: number
          ptc_id_key: number
          rate_type: string | null
          rating: number | null
          renewable_pct: number
          special_terms: string | null
          tdsp_id: number
          term_months: number
          terms_url: string | null
          time_of_use: boolean
          website: string | null
          yrac_url: string | null
        }
        Insert: {
          active?: boolean
          cancel_fee?: string | null
          cancel_fee_amount?: number | null
          deactivated_at?: string | null
          enroll_phone?: string | null
          enroll_url?: string | null
          facts_url?: string | null
          features?: string[]
          fees_credits?: string | null
          first_seen_at?: string
          fixed?: boolean
          has_bill_credit?: boolean
          id?: never
          language?: string
          last_import_id?: number | null
          last_seen_at?: string
          min_usage_fees_credits?: boolean
          name: string
          new_customer?: boolean
          prepaid?: boolean
          prepaid_url?: string | null
          price_1000: number
          price_2000: number
          price_500: number
          promotion?: boolean
          promotion_desc?: string | null
          provider_id: number
          ptc_id_key: number
          rate_type?: string | null
          rating?: number | null
          renewable_pct?: number
          special_terms?: string | null
          tdsp_id: number
          term_months?: number
          terms_url?: string | null
          time_of_use?: boolean
          website?: string | null
          yrac_url?: string | null
        }
        Update: {
          active?: boolean
          cancel_fee?: string | null
          cancel_fee_amount?: number | null
          deactivated_at?: string | null
          enroll_phone?: string | null
          enroll_url?: string | null
          facts_url?: string | null
          features?: string[]
          fees_credits?: string | null
          first_seen_at?: string
          fixed?: boolean
          has_bill_credit?: boolean
          id?: never
          language?: string
          last_import_id?: number | null
          last_seen_at?: string
          min_usage_fees_credits?: boolean
          name?: string
          new_customer?: boolean
          prepaid?: boolean
          prepaid_url?: string | null
          price_1000?: number
          price_2000?: number
          price_500?: number
          promotion?: boolean
          promotion_desc?: string | null
          provider_id?: number
          ptc_id_key?: number
          rate_type?: string | null
          rating?: number | null
          renewable_pct?: number
          special_terms?: string | null
          tdsp_id?: number
          term_months?: number
          terms_url?: string | null
          time_of_use?: boolean
          website?: string | null
          yrac_url?: string | null
        }
        Relationships: [
          {
            foreignKeyName: "plans_last_import_id_fkey"
            columns: ["last_import_id"]
            isOneToOne: false
            referencedRelation: "plan_imports"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "plans_provider_id_fkey"
            columns: ["provider_id"]
            isOneToOne: false
            referencedRelation: "providers"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "plans_tdsp_id_fkey"
            columns: ["tdsp_id"]
            isOneToOne: false
            referencedRelation: "tdsps"
            referencedColumns: ["id"]
          },
        ]
      }
      providers: {
        Row: {
          active: boolean
          created_at: string
          enroll_phone: string | null
          id: number
          name: string
          name_key: string
          slug: string
          updated_at: string
          website: string | null
        }
        Insert: {
          active?: boolean
          created_at?: string
          enroll_phone?: string | null
          id?: never
          name: string
          name_key: string
          slug: string
          updated_at?: string
          website?: string | null
        }
        Update: {
          active?: boolean
          created_at?: string
          enroll_phone?: string | null
          id?: never
          name?: string
          name_key?: string
          slug?: string
          updated_at?: string
          website?: string | null
        }
        Relationships: []
      }
      tdsp_charges: {
        Row: {
          effective_on: string
          monthly_charge: number
          per_kwh_charge: number
          source: string
          tdsp_id: number
        }
        Insert: {
          effective_on: string
          monthly_charge: number
          per_kwh_charge: number
          source?: string
          tdsp_id: number
        }
        Update: {
          effective_on?: string
          monthly_charge?: number
          per_kwh_charge?: number
          source?: string
          tdsp_id?: number
        }
        Relationships: [
          {
            foreignKeyName: "tdsp_charges_tdsp_id_fkey"
            columns: ["tdsp_id"]
            isOneToOne: false
            referencedRelation: "tdsps"
            referencedColumns: ["id"]
          },
        ]
      }
      tdsp_market_stats: {
        Row: {
          cheapest_cents_1000: number | null
          computed_at: string
          median_cents_1000: number | null
          plan_count: number
          provider_count: number
          renewable_share: number | null
          tdsp_id: number
        }
        Insert: {
          cheapest_cents_1000?: number | null
          computed_at?: string
          median_cents_1000?: number | null
          plan_count: number
          provider_count: number
          renewable_share?: number | null
          tdsp_id: number
        }
        Update: {
          cheapest_cents_1000?: number | null
          computed_at?: string
          median_cents_1000?: number | null
          plan_count?: number
          provider_count?: number
          renewable_share?: number | null
          tdsp_id?: number
        }
        Relationships: [
          {
            foreignKeyName: "tdsp_market_stats_tdsp_id_fkey"
            columns: ["tdsp_id"]
            isOneToOne: true
            referencedRelation: "tdsps"
            referencedColumns: ["id"]
          },
        ]
      }
      tdsps: {
        Row: {
          active: boolean
          aliases: string[]
          code: string
          id: number
          name: string
          short_name: string
        }
        Insert: {
          active?: boolean
          aliases?: string[]
          code: string
          id: number
          name: string
          short_name: string
        }
        Update: {
          active?: boolean
          aliases?: string[]
          code?: string
          id?: number
          name?: string
          short_name?: string
        }
        Relationships: []
      }
      zip_tdsps: {
        Row: {
          is_primary: boolean
          tdsp_id: number
          zip: string
        }
        Insert: {
          is_primary?: boolean
          tdsp_id: number
          zip: string
        }
        Update: {
          is_primary?: boolean
          tdsp_id?: number
          zip?: string
        }
        Relationships: [
          {
            foreignKeyName: "zip_tdsps_tdsp_id_fkey"
            columns: ["tdsp_id"]
            isOneToOne: false
            referencedRelation: "tdsps"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "zip_tdsps_zip_fkey"
            columns: ["zip"]
            isOneToOne: false
            referencedRelation: "zips"
            referencedColumns: ["zip"]
          },
        ]
      }
      zips: {
        Row: {
          city_id: number
          county: string
          deregulated: boolean
          latitude: number
          longitude: number
          zip: string
        }
        Insert: {
          city_id: number
          county: string
          deregulated: boolean
          latitude: number
          longitude: number
          zip: string
        }
        Update: {
          city_id?: number
          county?: string
          deregulated?: boolean
          latitude?: number
          longitude?: number
          zip?: string
        }
        Relationships: [
          {
            foreignKeyName: "zips_city_id_fkey"
            columns: ["city_id"]
            isOneToOne: false
            referencedRelation: "cities"
            referencedColumns: ["id"]
          },
        ]
      }
    }
    Views: {
      [_ in never]: never
    }
    Functions: {
      catalog_entries: {
        Args: never
        Returns: {
          entry_type: string
          keywords: string
          label: string
          payload: Json
          popularity: number
          ref_id: string
          subtitle: string
        }[]
      }
      compare_plans: {
        Args: {
          city_id?: number
          filters?: Json
          max_results?: number
          plan_ids?: number[]
          plan_language?: string
          session_id?: string
          usage_kwh: number[]
          zip?: string
        }
        Returns: Json
      }
      detect_bill_credit: {
        Args: { p1000: number; p2000: number; p500: number }
        Returns: boolean
      }
      energy_charge: {
        Args: { p1000: number; p2000: number; p500: number; usage: number }
        Returns: number
      }
      feature_plan_counts: {
        Args: never
        Returns: {
          feature: string
          plan_count: number
        }[]
      }
      is_texas_zip: { Args: { candidate: string }; Returns: boolean }
      plan_reasons: {
        Args: {
          all_in_cents: number
          annual_cost: number
          best_cost: number
          plan: Database["energy"]["Tables"]["plans"]["Row"]
          plan_rank: number
        }
        Returns: Json
      }
      rank_plans: {
        Args: {
          filters: Json
          max_results: number
          monthly_kwh: number[]
          plan_ids: number[]
          plan_language: string
          tdsp_ids: number[]
        }
        Returns: Record<string, unknown>
      }
      resolve_location: {
        Args: { at_city_id: number; at_zip: string }
        Returns: {
          city_name: string
          county_name: string
          resolved_city_id: number
          tdsp_ids: number[]
          zip_code: string
        }[]
      }
      session_comparisons: {
        Args: { session_ids: string[] }
        Returns: {
          comparisons: number
          last_usage_kwh: number
          session_id: string
        }[]
      }
      tdsp_charges_on: {
        Args: { on_day?: string }
        Returns: {
          effective_on: string
          monthly_charge: number
          per_kwh_charge: number
          tdsp_id: number
        }[]
      }
      zip_facts: {
        Args: { zips: string[] }
        Returns: {
          county: string
          deregulated: boolean
          latitude: number
          longitude: number
          zip: string
        }[]
      }
    }
    Enums: {
      [_ in never]: never
    }
    CompositeTypes: {
      [_ in never]: never
    }
  }
  graphql_public: {
    Tables: {
      [_ in never]: never
    }
    Views: {
      [_ in never]: never
    }
    Functions: {
      [_ in never]: never
    }
    Enums: {
      [_ in never]: never
    }
    CompositeTypes: {
      [_ in never]: never
    }
  }
  leads: {
    Tables: {
      events: {
        Row: {
          actor_id: string | null
          actor_role: string | null
          details: Json
          from_value: string | null
          id: number
          lead_id: string
          note: string | null
          occurred_at: string
          reason_code: string | null
          to_value: string | null
          tx_id: unknown
          type: string
        }
        Insert: {
          actor_id?: string | null
          actor_role?: string | null
          details?: Json
          from_value?: string | null
          id?: never
          lead_id: string
          note?: string | null
          occurred_at?: string
          reason_code?: string | null
          to_value?: string | null
          tx_id?: unknown
          type: string
        }
        Update: {
          actor_id?: string | null
          actor_role?: string | null
          details?: Json
          from_value?: string | null
          id?: never
          lead_id?: string
          note?: string | null
          occurred_at?: string
          reason_code?: string | null
          to_value?: string | null
          tx_id?: unknown
          type?: string
        }
        Relationships: [
          {
            foreignKeyName: "events_lead_id_fkey"
            columns: ["lead_id"]
            isOneToOne: false
            referencedRelation: "leads"
            referencedColumns: ["id"]
          },
        ]
      }
      lead_recommendations: {
        Row: {
          created_at: string
          lead_id: string
          product_id: string
          rank: number
          reason: string
          reason_code: string
        }
        Insert: {
          created_at?: string
          lead_id: string
          product_id: string
          rank: number
          reason: string
          reason_code: string
        }
        Update: {
          created_at?: string
          lead_id?: string
          product_id?: string
          rank?: number
          reason?: string
          reason_code?: string
        }
        Relationships: [
          {
            foreignKeyName: "lead_recommendations_lead_id_fkey"
            columns: ["lead_id"]
            isOneToOne: false
            referencedRelation: "leads"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "lead_recommendations_product_id_fkey"
            columns: ["product_id"]
            isOneToOne: false
            referencedRelation: "products"
            referencedColumns: ["id"]
          },
        ]
      }
      leads: {
        Row: {
          accepted_at: string | null
          city: string | null
          company_name: string | null
          company_size: number | null
          consent: boolean
          consent_at: string | null
          consent_version: string | null
          converted_at: string | null
          created_at: string
          email: string | null
          first_name: string | null
          form_type: string | null
          hot_at: string | null
          id: string
          industry: string | null
          kind: string
          landing_page: string | null
          last_activity_at: string
          last_name: string | null
          latitude: number | null
          longitude: number | null
          move_in_date: string | null
          office_id: string | null
          owner_id: string | null
          phone: string | null
          plant_locations: Json
          reason_codes: string[] | null
          referrer: string | null
          routing: Json
          score: number
          score_reasons: Json
          scored_at: string | null
          search_text: string | null
          session_id: string | null
          source_id: string | null
          status: string
          status_changed_at: string
          submissions: number
          trust_score: number
          updated_at: string
          usage_kwh: number | null
          utm_campaign: string | null
          utm_content: string | null
          utm_medium: string | null
          utm_source: string | null
          utm_term: string | null
          zip: string | null
        }
        Insert: {
          accepted_at?: string | null
          city?: string | null
          company_name?: string | null
          company_size?: number | null
          consent?: boolean
          consent_at?: string | null
          consent_version?: string | null
          converted_at?: string | null
          created_at?: string
          email?: string | null
          first_name?: string | null
          form_type?: string | null
          hot_at?: string | null
          id?: string
          industry?: string | null
          kind: string
          landing_page?: string | null
          last_activity_at?: string
          last_name?: string | null
          latitude?: number | null
          longitude?: number | null
          move_in_date?: string | null
          office_id?: string | null
          owner_id?: string | null
          phone?: string | null
          plant_locations?: Json
          reason_codes?: string[] | null
          referrer?: string | null
          routing?: Json
          score?: number
          score_reasons?: Json
          scored_at?: string | null
          search_text?: string | null
          session_id?: string | null
          source_id?: string | null
          status?: string
          status_changed_at?: string
          submissions?: number
          trust_score?: number
          updated_at?: string
          usage_kwh?: number | null
          utm_campaign?: string | null
          utm_content?: string | null
          utm_medium?: string | null
          utm_source?: string | null
          utm_term?: string | null
          zip?: string | null
        }
        Update: {
          accepted_at?: string | null
          city?: string | null
          company_name?: string | null
          company_size?: number | null
          consent?: boolean
          consent_at?: string | null
          consent_version?: string | null
          converted_at?: string | null
          created_at?: string
          email?: string | null
          first_name?: string | null
          form_type?: string | null
          hot_at?: string | null
          id?: string
          industry?: string | null
          kind?: string
          landing_page?: string | null
          last_activity_at?: string
          last_name?: string | null
          latitude?: number | null
          longitude?: number | null
          move_in_date?: string | null
          office_id?: string | null
          owner_id?: string | null
          phone?: string | null
          plant_locations?: Json
          reason_codes?: string[] | null
          referrer?: string | null
          routing?: Json
          score?: number
          score_reasons?: Json
          scored_at?: string | null
          search_text?: string | null
          session_id?: string | null
          source_id?: string | null
          status?: string
          status_changed_at?: string
          submissions?: number
          trust_score?: number
          updated_at?: string
          usage_kwh?: number | null
          utm_campaign?: string | null
          utm_content?: string | null
          utm_medium?: string | null
          utm_source?: string | null
          utm_term?: string | null
          zip?: string | null
        }
        Relationships: [
          {
            foreignKeyName: "leads_office_id_fkey"
            columns: ["office_id"]
            isOneToOne: false
            referencedRelation: "regional_offices"
            referencedColumns: ["id"]
          },
          {
            foreignKeyName: "leads_source_id_fkey"
            columns: ["source_id"]
            isOneToOne: false
            referencedRelation: "sources"
            referencedColumns: ["id"]
          },
        ]
      }
      office_members: {
        Row: {
          active: boolean
          added_at: string
          office_id: string
          user_id: string
        }
        Insert: {
          active?: boolean
          added_at?: string
          office_id: string
          user_id: string
        }
        Update: {
          active?: boolean
          added_at?: string
          office_id?: string
          user_id?: string
        }
        Relationships: [
          {
            foreignKeyName: "office_members_office_id_fkey"
            columns: ["office_id"]
            isOneToOne: false
            referencedRelation: "regional_offices"
            referencedColumns: ["id"]
          },
        ]
      }
      products: {
        Row: {
          active: boolean
          category: string
          code: string
          description: string | null
          id: string
          image_url: string | null
          name: string
          recommendation_details: string | null
        }
        Insert: {
          active?: boolean
          category: string
          code: string
          description?: string | null
          id?: string
          image_url?: string | null
          name: string
          recommendation_details?: string | null
        }
        Update: {
          active?: boolean
          category?: string
          code?: string
          description?: string | null
          id?: string
          image_url?: string | null
          name?: string
          recommendation_details?: string | null
        }
        Relationships: []
      }
      recommendation_rules: {
        Row: {
          active: boolean
          id: number
          industries: string[] | null
          min_company_size: number
          min_plants: number
          min_usage_kwh: number
          priority: number
          product_id: string
          reason: string
          reason_code: string
        }
        Insert: {
          active?: boolean
          id?: never
          industries?: string[] | null
          min_company_size?: number
          min_plants?: number
          min_usage_kwh?: number
          priority?: number
          product_id: string
          reason: string
          reason_code: string
        }
        Update: {
          active?: boolean
          id?: never
          industries?: string[] | null
          min_company_size?: number
          min_plants?: number
          min_usage_kwh?: number
          priority?: number
          product_id?: string
          reason?: string
          reason_code?: string
        }
        Relationships: [
          {
            foreignKeyName: "recommendation_rules_product_id_fkey"
            columns: ["product_id"]
            isOneToOne: false
            referencedRelation: "products"
            referencedColumns: ["id"]
          },
        ]
      }
      regional_offices: {
        Row: {
          active: boolean
          address: string | null
          city: string | null
          contact_email: string | null
          contact_phone: string | null
          created_at: string
          id: string
          is_default: boolean
          latitude: number | null
          longitude: number | null
          name: string
          region: string
          state: string | null
        }
        Insert: {
          active?: boolean
          address?: string | null
          city?: string | null
          contact_email?: string | null
          contact_phone?: string | null
          created_at?: string
          id?: string
          is_default?: boolean
          latitude?: number | null
          longitude?: number | null
          name: string
          region: string
          state?: string | null
        }
        Update: {
          active?: boolean
          address?: string | null
          city?: string | null
          contact_email?: string | null
          contact_phone?: string | null
          created_at?: string
          id?: string
          is_default?: boolean
          latitude?: number | null
          longitude?: number | null
          name?: string
          region?: string
          state?: string | null
        }
        Relationships: []
      }
      rollup_deltas: {
        Row: {
          accepted_reached: number
          converted_reached: number
          dimension: string
          hot_reached: number
          id: number
          key: string
          leads: number
          month: string
          office_id: string | null
          score_sum: number
          trust_sum: number
        }
        Insert: {
          accepted_reached: number
          converted_reached: number
          dimension: string
          hot_reached: number
          id?: never
          key: string
          leads: number
          month: string
          office_id?: string | null
          score_sum: number
          trust_sum: number
        }
        Update: {
          accepted_reached?: number
          converted_reached?: number
          dimension?: string
          hot_reached?: number
          id?: never
          key?: string
          leads?: number
          month?: string
          office_id?: string | null
          score_sum?: number
          trust_sum?: number
        }
        Relationships: []
      }
      rollup_monthly: {
        Row: {
          accepted_reached: number
          converted_reached: number
          dimension: string
          hot_reached: number
          id: number
          key: string
          leads: number
          month: string
          office_id: string | null
          score_sum: number
          trust_sum: number
        }
        Insert: {
          accepted_reached?: number
          converted_reached?: number
          dimension: string
          hot_reached?: number
          id?: never
          key: string
          leads?: number
          month: string
          office_id?: string | null
          score_sum?: number
          trust_sum?: number
        }
        Update: {
          accepted_reached?: number
          converted_reached?: number
          dimension?: string
          hot_reached?: number
          id?: never
          key?: string
          leads?: number
          month?: string
          office_id?: string | null
          score_sum?: number
          trust_sum?: number
        }
        Relationships: []
      }
      scoring_rules: {
        Row: {
          active: boolean
          created_at: string
          description: string | null
          dimension: string
          id: number
          operand: Json | null
          operator: string
          points: number
          reason_code: string
          signal: string
        }
        Insert: {
          active?: boolean
          created_at?: string
          description?: string | null
          dimension?: string
          id?: never
          operand?: Json | null
          operator: string
          points: number
          reason_code: string
          signal: string
        }
        Update: {
          active?: boolean
          created_at?: string
          description?: string | null
          dimension?: string
          id?: never
          operand?: Json | null
          operator?: string
          points?: number
          reason_code?: string
          signal?: string
        }
        Relationships: []
      }
      sources: {
        Row: {
          active: boolean
          created_at: string
          id: string
          last_crawled_at: string | null
          name: string
          trust_score: number
          type: string
          url: string | null
        }
        Insert: {
          active?: boolean
          created_at?: string
          id?: string
          last_crawled_at?: string | null
          name: string
          trust_score?: number
          type: string
          url?: string | null
        }
        Update: {
          active?: boolean
          created_at?: string
          id?: string
          last_crawled_at?: string | null
          name?: string
          trust_score?: number
          type?: string
          url?: string | null
        }
        Relationships: []
      }
    }
    Views: {
      [_ in never]: never
    }
    Functions: {
      capture: { Args: { lead: Json }; Returns: Json }
      dashboard_distribution: {
        Args: { window_from: string; window_to: string }
        Returns: Json
      }
      dashboard_funnel: {
        Args: { window_from: string; window_to: string }
        Returns: Json
      }
      dashboard_quality_matrix: {
        Args: { window_from: string; window_to: string }
        Returns: Json
      }
      dashboard_summary: {
        Args: { window_from: string; window_to: string }
        Returns: Json
      }
      dashboard_top_opportunities: {
        Args: { max_rows?: number; window_from: string; window_to: string }
        Returns: Json
      }
      hot_feed: {
        Args: { after_event?: number; after_tx?: number; max_rows?: number }
        Returns: {
          consent: boolean
          email: string
          event_id: number
          first_name: string
          kind: string
          lead_id: string
          occurred_at: string
          status: string
          tx: number
          usage_kwh: number
          zip: string
        }[]
      }
      import_leads: { Args: { rows: Json; source_name: string }; Returns: Json }
      rescore: { Args: { lead_ids?: string[] }; Returns: number }
      score_lead: { Args: { lead_id: string }; Returns: Json }
      zip_location: {
        Args: { zip: string }
        Returns: {
          county: string
          deregulated: boolean
          latitude: number
          longitude: number
        }[]
      }
    }
    Enums: {
      [_ in never]: never
    }
    CompositeTypes: {
      [_ in never]: never
    }
  }
  public: {
    Tables: {
      profiles: {
        Row: {
          created_at: string
          display_name: string | null
          email: string | null
          id: string
          marketing_opt_in: boolean
          phone: string | null
          updated_at: string
        }
        Insert: {
          created_at?: string
          display_name?: string | null
          email?: string | null
          id: string
          marketing_opt_in?: boolean
          phone?: string | null
          updated_at?: string
        }
        Update: {
          created_at?: string
          display_name?: string | null
          email?: string | null
          id?: string
          marketing_opt_in?: boolean
          phone?: string | null
          updated_at?: string
        }
        Relationships: []
      }
    }
    Views: {
      [_ in never]: never
    }
    Functions: {
      custom_access_token_hook: { Args: { event: Json }; Returns: Json }
      hook_password_verification_attempt: {
        Args: { event: Json }
        Returns: Json
      }
    }
    Enums: {
      [_ in never]: never
    }
    CompositeTypes: {
      [_ in never]: never
    }
  }
  tracking: {
    Tables: {
      events: {
        Row: {
          category: string | null
          element_id: string | null
          id: string
          occurred_at: string
          previous_value: string | null
          props: Json
          received_at: string
          session_id: string
          time_spent_ms: number | null
          type: string
          value: string | null
        }
        Insert: {
          category?: string | null
          element_id?: string | null
          id: string
          occurred_at: string
          previous_value?: string | null
          props?: Json
          received_at?: string
          session_id: string
          time_spent_ms?: number | null
          type: string
          value?: string | null
        }
        Update: {
          category?: string | null
          element_id?: string | null
          id?: string
          occurred_at?: string
          previous_value?: string | null
          props?: Json
          received_at?: string
          session_id?: string
          time_spent_ms?: number | null
          type?: string
          value?: string | null
        }
        Relationships: []
      }
      funnel_steps: {
        Row: {
          category: string | null
          event_type: string | null
          min_completion: number | null
          name: string
          position: number
          snapshot_trigger: string | null
          source: string
        }
        Insert: {
          category?: string | null
          event_type?: string | null
          min_completion?: number | null
          name: string
          position: number
          snapshot_trigger?: string | null
          source: string
        }
        Update: {
          category?: string | null
          event_type?: string | null
          min_completion?: number | null
          name?: string
          position?: number
          snapshot_trigger?: string | null
          source?: string
        }
        Relationships: []
      }
      performance_metrics: {
        Row: {
          extra: Json
          id: string
          name: string
          occurred_at: string
          received_at: string
          route: string | null
          session_id: string | null
          value: number
        }
        Insert: {
          extra?: Json
          id: string
          name: string
          occurred_at: string
          received_at?: string
          route?: string | null
          session_id?: string | null
          value: number
        }
        Update: {
          extra?: Json
          id?: string
          name?: string
          occurred_at?: string
          received_at?: string
          route?: string | null
          session_id?: string | null
          value?: number
        }
        Relationships: []
      }
      rollup_events: {
        Row: {
          bucket: string
          category: string
          events: number
          grain: string
          time_spent_ms: number
          type: string
        }
        Insert: {
          bucket: string
          category?: string
          events: number
          grain: string
          time_spent_ms?: number
          type: string
        }
        Update: {
          bucket?: string
          category?: string
          events?: number
          grain?: string
          time_spent_ms?: number
          type?: string
        }
        Relationships: []
      }
      rollup_funnel: {
        Row: {
          bucket: string
          grain: string
          position: number
          sessions: number
        }
        Insert: {
          bucket: string
          grain: string
          position: number
          sessions: number
        }
        Update: {
          bucket?: string
          grain?: string
          position?: number
          sessions?: number
        }
        Relationships: []
      }
      rollup_metric_bins: {
        Row: {
          bin: number
          bucket: string
          grain: string
          name: string
          samples: number
        }
        Insert: {
          bin: number
          bucket: string
          grain: string
          name: string
          samples: number
        }
        Update: {
          bin?: number
          bucket?: string
          grain?: string
          name?: string
          samples?: number
        }
        Relationships: []
      }
      rollup_metrics: {
        Row: {
          bucket: string
          grain: string
          name: string
          p50: number | null
          p95: number | null
          p99: number | null
          samples: number
          value_max: number | null
          value_min: number | null
          value_sum: number
        }
        Insert: {
          bucket: string
          grain: string
          name: string
          p50?: number | null
          p95?: number | null
          p99?: number | null
          samples: number
          value_max?: number | null
          value_min?: number | null
          value_sum: number
        }
        Update: {
          bucket?: string
          grain?: string
          name?: string
          p50?: number | null
          p95?: number | null
          p99?: number | null
          samples?: number
          value_max?: number | null
          value_min?: number | null
          value_sum?: number
        }
        Relationships: []
      }
      rollup_selections: {
        Row: {
          bucket: string
          category: string
          grain: string
          selections: number
          value: string
        }
        Insert: {
          bucket: string
          category?: string
          grain: string
          selections: number
          value: string
        }
        Update: {
          bucket?: string
          category?: string
          grain?: string
          selections?: number
          value?: string
        }
        Relationships: []
      }
      rollup_sessions: {
        Row: {
          bucket: string
          conversions: number
          device_type: string
          duration_ms_sum: number
          grain: string
          orders: number
          sessions: number
        }
        Insert: {
          bucket: string
          conversions: number
          device_type: string
          duration_ms_sum: number
          grain: string
          orders: number
          sessions: number
        }
        Update: {
          bucket?: string
          conversions?: number
          device_type?: string
          duration_ms_sum?: number
          grain?: string
          orders?: number
          sessions?: number
        }
        Relationships: []
      }
      rollup_snapshots: {
        Row: {
          bucket: string
          completed: number
          grain: string
          price_max: number | null
          price_min: number | null
          price_sum: number
          priced: number
          snapshots: number
          trigger: string
        }
        Insert: {
          bucket: string
          completed: number
          grain: string
          price_max?: number | null
          price_min?: number | null
          price_sum?: number
          priced: number
          snapshots: number
          trigger: string
        }
        Update: {
          bucket?: string
          completed?: number
          grain?: string
          price_max?: number | null
          price_min?: number | null
          price_sum?: number
          priced?: number
          snapshots?: number
          trigger?: string
        }
        Relationships: []
      }
      rollup_state: {
        Row: {
          last_rows: number | null
          last_run_at: string | null
          name: string
          processed_until: string
        }
        Insert: {
          last_rows?: number | null
          last_run_at?: string | null
          name: string
          processed_until: string
        }
        Update: {
          last_rows?: number | null
          last_run_at?: string | null
          name?: string
          processed_until?: string
        }
        Relationships: []
      }
      sessions: {
        Row: {
          completed_at: string | null
          completion_level: number
          completion_state: string | null
          device_type: string
          ended_at: string | null
          id: string
          last_event_at: string | null
          last_seen_at: string
          referrer: string | null
          started_at: string
          steps_mask: number
          user_id: string | null
          utm: Json
          viewport_height: number | null
          viewport_width: number | null
          visitor_id: string | null
        }
        Insert: {
          completed_at?: string | null
          completion_level?: number
          completion_state?: string | null
          device_type?: string
          ended_at?: string | null
          id: string
          last_event_at?: string | null
          last_seen_at?: string
          referrer?: string | null
          started_at?: string
          steps_mask?: number
          user_id?: string | null
          utm?: Json
          viewport_height?: number | null
          viewport_width?: number | null
          visitor_id?: string | null
        }
        Update: {
          completed_at?: string | null
          completion_level?: number
          completion_state?: string | null
          device_type?: string
          ended_at?: string | null
          id?: string
          last_event_at?: string | null
          last_seen_at?: string
          referrer?: string | null
          started_at?: string
          steps_mask?: number
          user_id?: string | null
          utm?: Json
          viewport_height?: number | null
          viewport_width?: number | null
          visitor_id?: string | null
        }
        Relationships: []
      }
      settings: {
        Row: {
          id: boolean
          partitions_ahead: number
          retention_days: number
          updated_at: string
        }
        Insert: {
          id?: boolean
          partitions_ahead?: number
          retention_days?: number
          updated_at?: string
        }
        Update: {
          id?: boolean
          partitions_ahead?: number
          retention_days?: number
          updated_at?: string
        }
        Relationships: []
      }
      snapshots: {
        Row: {
          completion_percentage: number | null
          configuration: Json
          id: string
          occurred_at: string
          received_at: string
          session_id: string
          total_price: number | null
          trigger: string
        }
        Insert: {
          completion_percentage?: number | null
          configuration: Json
          id: string
          occurred_at: string
          received_at?: string
          session_id: string
          total_price?: number | null
          trigger: string
        }
        Update: {
          completion_percentage?: number | null
          configuration?: Json
          id?: string
          occurred_at?: string
          received_at?: string
          session_id?: string
          total_price?: number | null
          trigger?: string
        }
        Relationships: []
      }
    }
    Views: {
      [_ in never]: never
    }
    Functions: {
      analytics_funnel: {
        Args: { window_from: string; window_to: string }
        Returns: Json
      }
      analytics_grain: {
        Args: { window_from: string; window_to: string }
        Returns: string
      }
      analytics_journey: { Args: { session_id: string }; Returns: Json }
      analytics_overview: {
        Args: { window_from: string; window_to: string }
        Returns: Json
      }
      analytics_performance: {
        Args: { metric_name: string; window_from: string; window_to: string }
        Returns: Json
      }
      analytics_popular_configs: {
        Args: { max_rows: number; window_from: string; window_to: string }
        Returns: Json
      }
      analytics_realtime: { Args: never; Returns: Json }
      apply_retention: { Args: never; Returns: number }
      ensure_event_partitions: {
        Args: { from_day?: string; to_day?: string }
        Returns: number
      }
      event_partition_name: { Args: { day: string }; Returns: string }
      ingest_event_batches: {
        Args: { event_batches: Json }
        Returns: {
          batch: number
          stored: number
        }[]
      }
      ingest_events: {
        Args: {
          events: Json
          session: Json
          session_id: string
          user_id: string
        }
        Returns: number
      }
      ingest_metrics: {
        Args: {
          metrics: Json
          session: Json
          session_id: string
          user_id: string
        }
        Returns: number
      }
      ingest_snapshots: {
        Args: {
          session: Json
          session_id: string
          snapshots: Json
          user_id: string
        }
        Returns: number
      }
      maintain_partitions: { Args: never; Returns: number }
      metric_bin: { Args: { value: number }; Returns: number }
      metric_bin_value: { Args: { bin: number }; Returns: number }
      rebuild_rollups: { Args: never; Returns: number }
      rollup_events_between: {
        Args: { horizon: string; since: string }
        Returns: number
      }
      rollup_horizon: { Args: never; Returns: string }
      rollup_metric_percentiles: {
        Args: { horizon: string; since: string }
        Returns: number
      }
      rollup_metrics_between: {
        Args: { horizon: string; since: string }
        Returns: number
      }
      rollup_selections_between: {
        Args: { horizon: string; since: string }
        Returns: number
      }
      rollup_session_days: { Args: { days: string[] }; Returns: number }
      rollup_sessions_between: {
        Args: { horizon: string; since: string }
        Returns: number
      }
      rollup_snapshots_between: {
        Args: { horizon: string; since: string }
        Returns: number
      }
      rollup_window: {
        Args: { horizon: string; since: string }
        Returns: number
      }
      rollups_processed_until: { Args: never; Returns: string }
      run_rollups: { Args: never; Returns: number }
      secure_event_partition: { Args: { part: unknown }; Returns: undefined }
      session_engagement: {
        Args: { session_ids: string[] }
        Returns: {
          pages: number
          return_visits: number
          session_id: string
        }[]
      }
      touch_session: {
        Args: {
          ended: boolean
          first_at: string
          last_at: string
          level: number
          session: Json
          session_id: string
          steps: number
          user_id: string
        }
        Returns: undefined
      }
      touch_sessions: {
        Args: {
          touches: Database["tracking"]["CompositeTypes"]["session_touch"][]
        }
        Returns: undefined
      }
    }
    Enums: {
      [_ in never]: never
    }
    CompositeTypes: {
      session_touch: {
        session_id: string | null
        user_id: string | null
        session: Json | null
        first_at: string | null
        last_at: string | null
        steps: number | null
        level: number | null
        ended: boolean | null
      }
    }
  }
}

type DatabaseWithoutInternals = Omit<Database, "__InternalSupabase">

type DefaultSchema = DatabaseWithoutInternals[Extract<keyof Database, "public">]

export type Tables<
  DefaultSchemaTableNameOrOptions extends
    | keyof (DefaultSchema["Tables"] & DefaultSchema["Views"])
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends (DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof (DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"] &
        DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Views"])
    : never) = never,
> = DefaultSchemaTableNameOrOptions extends {
  schema: keyof DatabaseWithoutInternals
}
  ? (DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"] &
      DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Views"])[TableName] extends {
      Row: infer R
    }
    ? R
    : never
  : DefaultSchemaTableNameOrOptions extends keyof (DefaultSchema["Tables"] &
        DefaultSchema["Views"])
    ? (DefaultSchema["Tables"] &
        DefaultSchema["Views"])[DefaultSchemaTableNameOrOptions] extends {
        Row: infer R
      }
      ? R
      : never
    : never

export type TablesInsert<
  DefaultSchemaTableNameOrOptions extends
    keyof DefaultSchema["Tables"] | { schema: keyof DatabaseWithoutInternals },
  TableName extends (DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    : never) = never,
> = DefaultSchemaTableNameOrOptions extends {
  schema: keyof DatabaseWithoutInternals
}
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"][TableName] extends {
      Insert: infer I
    }
    ? I
    : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema["Tables"]
    ? DefaultSchema["Tables"][DefaultSchemaTableNameOrOptions] extends {
        Insert: infer I
      }
      ? I
      : never
    : never

export type TablesUpdate<
  DefaultSchemaTableNameOrOptions extends
    keyof DefaultSchema["Tables"] | { schema: keyof DatabaseWithoutInternals },
  TableName extends (DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    : never) = never,
> = DefaultSchemaTableNameOrOptions extends {
  schema: keyof DatabaseWithoutInternals
}
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"][TableName] extends {
      Update: infer U
    }
    ? U
    : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema["Tables"]
    ? DefaultSchema["Tables"][DefaultSchemaTableNameOrOptions] extends {
        Update: infer U
      }
      ? U
      : never
    : never

export type Enums<
  DefaultSchemaEnumNameOrOptions extends
    keyof DefaultSchema["Enums"] | { schema: keyof DatabaseWithoutInternals },
  EnumName extends (DefaultSchemaEnumNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]]["Enums"]
    : never) = never,
> = DefaultSchemaEnumNameOrOptions extends {
  schema: keyof DatabaseWithoutInternals
}
  ? DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]]["Enums"][EnumName]
  : DefaultSchemaEnumNameOrOptions extends keyof DefaultSchema["Enums"]
    ? DefaultSchema["Enums"][DefaultSchemaEnumNameOrOptions]
    : never

export type CompositeTypes<
  PublicCompositeTypeNameOrOptions extends
    | keyof DefaultSchema["CompositeTypes"]
    | { schema: keyof DatabaseWithoutInternals },
  CompositeTypeName extends (PublicCompositeTypeNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions["schema"]]["CompositeTypes"]
    : never) = never,
> = PublicCompositeTypeNameOrOptions extends {
  schema: keyof DatabaseWithoutInternals
}
  ? DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions["schema"]]["CompositeTypes"][CompositeTypeName]
  : PublicCompositeTypeNameOrOptions extends keyof DefaultSchema["CompositeTypes"]
    ? DefaultSchema["CompositeTypes"][PublicCompositeTypeNameOrOptions]
    : never

export const Constants = {
  commerce: {
    Enums: {},
  },
  energy: {
    Enums: {},
  },
  graphql_public: {
    Enums: {},
  },
  leads: {
    Enums: {},
  },
  public: {
    Enums: {},
  },
  tracking: {
    Enums: {},
  },
} as const

