package dev.bulwark.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * Reads a YAML file the way every Bulwark file is read (the configuration, {@code bulwark test}
 * fixtures): bounded size, UTF-8 text only, no duplicate keys, no anchors or aliases, bounded
 * nesting; then hands out its root as a {@link ConfigNode} whose mistakes are reported with their
 * path.
 */
public final class YamlDocument {
  private YamlDocument() {}

  /**
   * Returns the text of {@code file}, or throws one error naming the file and {@code expected}
   * (such as {@code a YAML configuration file}).
   */
  public static String read(Path file, int maxBytes, String expected) throws ConfigException {
    String problem = ReadableFile.problem(file, maxBytes);
    if (problem != null) {
      throw single(file + ": " + problem + " (expected: " + expected + ")");
    }
    try {
      byte[] bytes = Files.readAllBytes(file);
      if (ReadableFile.looksBinary(bytes)) {
        throw single(file + ": binary content (expected: " + expected + ")");
      }
      return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      throw single(file + ": not UTF-8 text (expected: " + expected + " in UTF-8)");
    } catch (IOException e) {
      throw single(file + ": " + ReadableFile.describe(e));
    }
  }

  /**
   * Parses YAML text into its tree; returns null for an empty document, throws one error with the
   * line and column of malformed YAML or of an anchor or alias.
   */
  static @Nullable JsonNode tree(String yaml, int maxBytes) throws ConfigException {
    try {
      refuseAnchorsAndAliases(yaml, maxBytes);
      JsonNode root = mapper(maxBytes).readTree(yaml);
      return root == null || root.isMissingNode() || root.isNull() ? null : root;
    } catch (JsonProcessingException e) {
      String where =
          e.getLocation() == null
              ? ""
              : "line "
                  + e.getLocation().getLineNr()
                  + ", column "
                  + e.getLocation().getColumnNr()
                  + ": ";
      throw single(where + "malformed YAML (" + withoutExcerpts(e.getOriginalMessage()) + ")");
    }
  }

  /**
   * Returns a parser's message on one line: SnakeYAML adds indented lines (where, an excerpt of the
   * file and a caret) under each sentence; the sentences are kept, the line and column are already
   * given.
   */
  private static String withoutExcerpts(String message) {
    List<String> sentences =
        message.lines().filter(l -> !l.isBlank() && !Character.isWhitespace(l.charAt(0))).toList();
    return sentences.isEmpty() ? message.strip() : String.join("; ", sentences);
  }

  /**
   * Parses YAML text into a root node that records its mistakes in {@code problems}; secret
   * references are not resolved (a value is read as written). Returns null for an empty document.
   */
  public static @Nullable ConfigNode parse(String yaml, int maxBytes, Problems problems)
      throws ConfigException {
    JsonNode root = tree(yaml, maxBytes);
    return root == null
        ? null
        : new ConfigNode(root, "", problems, new SecretResolver(name -> null));
  }

  /**
   * Refuses YAML anchors and aliases: the tree reader would turn an alias into the plain string of
   * its name, silently changing the meaning of the file (and aliases are how YAML bombs grow).
   */
  private static void refuseAnchorsAndAliases(String yaml, int maxBytes)
      throws JsonProcessingException, ConfigException {
    try (com.fasterxml.jackson.dataformat.yaml.YAMLParser p =
        (com.fasterxml.jackson.dataformat.yaml.YAMLParser)
            mapper(maxBytes).getFactory().createParser(yaml)) {
      while (p.nextToken() != null) {
        if (p.isCurrentAlias() || p.getObjectId() != null) {
          var at = p.currentLocation();
          throw single(
              "line "
                  + at.getLineNr()
                  + ", column "
                  + at.getColumnNr()
                  + ": YAML anchors and aliases are not supported (expected: each value written out)");
        }
      }
    } catch (JsonProcessingException e) {
      throw e;
    } catch (IOException e) {
      throw single("cannot read the text (" + e.getClass().getSimpleName() + ")");
    }
  }

  static ConfigException single(String message) {
    return new ConfigException(List.of(new Problem(Problem.Severity.ERROR, "", message)));
  }

  private static ObjectMapper mapper(int maxBytes) {
    LoaderOptions options = new LoaderOptions();
    options.setMaxAliasesForCollections(20);
    options.setAllowDuplicateKeys(false);
    options.setCodePointLimit(maxBytes);
    options.setNestingDepthLimit(40);
    YAMLFactory factory = YAMLFactory.builder().loaderOptions(options).build();
    factory.setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(40).build());
    YAMLMapper mapper = new YAMLMapper(factory);
    mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    return mapper;
  }
}
